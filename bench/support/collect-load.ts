import { Agent, request } from 'node:http';
import { USER_AGENTS } from './events';

/**
 * Open-loop load on `POST /api/collect` for the e2e bench: simulated visitors (each its own
 * X-Forwarded-For and user agent) send what the snippet sends — a pageview, then clicks and an engagement
 * beat — in requests of 1–5 events, at a fixed event rate whatever the server's latency.
 */

const PAGES = [
  { path: '/demo', title: 'Riffle Coffee Co.' },
  { path: '/demo/products', title: 'All coffees' },
  { path: '/demo/products/ethiopia-yirgacheffe', title: 'Ethiopia Yirgacheffe' },
  { path: '/demo/products/colombia-huila', title: 'Colombia Huila' },
  { path: '/demo/cart', title: 'Your cart' },
  { path: '/demo/signup', title: 'Sign up' },
];
const REFERRERS = ['', '', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://t.co/abc'];

interface Visitor {
  ip: string;
  userAgent: string;
  page: number;
}

export interface LoadOptions {
  baseUrl: string;
  eventsPerSecond: number;
  durationMs: number;
  /**
   * Traffic keeps flowing this long after `durationMs` without being reported: an event is on the
   * dashboard once every shard has committed past it, which at the end of a run would otherwise wait for
   * idle shards' ticks instead of the next events.
   */
  cooldownMs: number;
  visitors: number;
  /** Called with the wall-clock time a request's 202 arrived (fractional ms), for requests sent in `durationMs`. */
  onAccepted: (acceptedAtMs: number, events: number) => void;
}

export interface LoadResult {
  requests: number;
  events: number;
  accepted: number;
  failed: number;
  /** Events not sent because too many requests were in flight (the server fell behind). */
  skipped: number;
  elapsedMs: number;
}

const MAX_IN_FLIGHT = 512;
const TICK_MS = 5;

function body(visitor: Visitor, runTag: string, n: number, count: number): string {
  const events = [];
  for (let i = 0; i < count; i++) {
    const page = PAGES[visitor.page % PAGES.length] ?? PAGES[0];
    const id = `${runTag}${n.toString(36)}x${i}`;
    const url = `https://shop.example${page?.path ?? '/'}${n % 11 === 0 ? '?utm_source=newsletter&utm_medium=email' : ''}`;
    if (i === 0) {
      events.push({
        id,
        type: 'pageview',
        url,
        title: page?.title,
        referrer: REFERRERS[n % REFERRERS.length],
      });
    } else if (i === count - 1 && count > 2) {
      events.push({ id, type: 'engagement', url, engagedMs: 1_000 + (n % 30_000) });
    } else {
      events.push({ id, type: 'click', url, target: { selector: 'a.cta', tag: 'a', text: 'Add to cart' } });
    }
    visitor.page++;
  }
  return JSON.stringify({ site: 'demo', events });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL('/api/collect', options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const visitors: Visitor[] = Array.from({ length: options.visitors }, (_, i) => ({
    ip: `198.18.${(i >> 8) & 255}.${i & 255}`,
    userAgent: USER_AGENTS[i % USER_AGENTS.length] ?? '',
    page: i,
  }));
  const runTag = Math.random().toString(36).slice(2, 8);
  const result: LoadResult = { requests: 0, events: 0, accepted: 0, failed: 0, skipped: 0, elapsedMs: 0 };
  let inFlight = 0;
  let scheduled = 0;
  const send = (n: number, count: number, measured: boolean) => {
    const visitor = visitors[n % visitors.length];
    if (visitor === undefined) return;
    const payload = body(visitor, runTag, n, count);
    inFlight++;
    if (measured) {
      result.requests++;
      result.events += count;
    }
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'text/plain',
          'content-length': Buffer.byteLength(payload),
          'user-agent': visitor.userAgent,
          'x-forwarded-for': visitor.ip,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          if (!measured) return;
          if (res.statusCode === 202) {
            result.accepted += count;
            options.onAccepted(performance.timeOrigin + performance.now(), count);
          } else result.failed += count;
        });
      },
    );
    req.on('error', () => {
      inFlight--;
      if (measured) result.failed += count;
    });
    req.end(payload);
  };
  const startedAt = performance.now();
  let n = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      if (elapsed >= options.durationMs + options.cooldownMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = (elapsed / 1000) * options.eventsPerSecond;
      while (scheduled < due) {
        const count = 1 + (n % 5);
        scheduled += count;
        const measured = elapsed < options.durationMs;
        if (inFlight >= MAX_IN_FLIGHT) {
          if (measured) result.skipped += count;
        } else send(n, count, measured);
        n++;
      }
    }, TICK_MS);
  });
  result.elapsedMs = Math.min(performance.now() - startedAt, options.durationMs);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (inFlight === 0) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  agent.destroy();
  return result;
}
