import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { alignStart } from '../app/dashboard/model/series';
import { freePort } from '../scripts/redis-server';
import {
  breakdownCount,
  openDashboard,
  postEvents,
  randomIp,
  stat,
  type TestEvent,
} from './support/dashboard';
import { type StackProcess, stackEnvironment, startServer } from './support/processes';
import { ADMIN_STATE_FILE, readStack } from './support/stack';

/**
 * The server restarts under an open dashboard: the socket reconnects, subscribes again and replaces what
 * it shows with a fresh snapshot. Events posted while it was down are all there (no gap), and nothing is
 * counted twice. This spec runs its own server process (same Redis and aggregator as the rest of the
 * stack) on its own port, so it can stop and start it.
 */

const pageviews = (path: string, n: number): TestEvent[] =>
  Array.from({ length: n }, () => ({ type: 'pageview', url: `https://shop.example${path}` }));

interface StatsAnswer {
  results: Array<{ start: number; end: number; values: Record<string, unknown> }>;
}

/** The saved admin session cookie (the stats API is not public). */
async function adminCookie(): Promise<string> {
  const state = JSON.parse(readFileSync(ADMIN_STATE_FILE, 'utf8')) as {
    cookies: Array<{ name: string; value: string }>;
  };
  return state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Pageviews of the minutes the dashboard's card covers (this minute and the 29 before), per the stats API. */
async function apiPageviews(baseUrl: string): Promise<number> {
  const answer = (await (
    await fetch(`${baseUrl}/api/stats/demo/pageviews_1m?limit=100`, {
      headers: { cookie: await adminCookie() },
    })
  ).json()) as StatsAnswer;
  const from = alignStart(Date.now(), 60_000) - 29 * 60_000;
  return answer.results
    .filter((r) => r.start >= from)
    .reduce((sum, r) => sum + Number(r.values['pageviews'] ?? 0), 0);
}

test('the dashboard reconnects after a server restart and shows the right totals', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const stack = readStack();
  const env = stackEnvironment(stack);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let server: StackProcess | undefined = await startServer(env, port);
  try {
    const path = `/reconnect-${Date.now()}`;
    const ip = randomIp();
    await openDashboard(page, baseUrl);

    await postEvents(request, stack.baseUrl, pageviews(path, 30), { ip });
    await expect.poll(() => breakdownCount(page, 'panel-pages', path), { timeout: 5_000 }).toBe(30);

    // The server goes away: the dot leaves "connected".
    await server.stop('SIGTERM');
    server = undefined;
    await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-state', 'connected', {
      timeout: 10_000,
    });

    // Traffic goes on meanwhile (through the other server): the dashboard misses these messages.
    await postEvents(request, stack.baseUrl, pageviews(path, 20), { ip });

    server = await startServer(env, port);
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected', {
      timeout: 15_000,
    });

    // The fresh snapshot has everything, once: 50, not 30 (a gap) nor 80 (counted twice).
    await expect.poll(() => breakdownCount(page, 'panel-pages', path), { timeout: 5_000 }).toBe(50);
    await expect
      .poll(async () => (await stat(page, 'pageviews')) - (await apiPageviews(stack.baseUrl)), {
        timeout: 5_000,
      })
      .toBe(0);

    // And it is live again.
    await postEvents(request, stack.baseUrl, pageviews(path, 1), { ip });
    await expect.poll(() => breakdownCount(page, 'panel-pages', path), { timeout: 3_000 }).toBe(51);
  } finally {
    await server?.stop();
  }
});
