import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { createKeys } from '../lib/redis/keys';
import { SiteStore } from '../lib/sites/site-store';
import { openDashboard } from './support/dashboard';
import { ADMIN_STATE_FILE, readStack } from './support/stack';

/**
 * The live dashboard under simulated demo-shop traffic (scripts/traffic.ts), saved as docs/dashboard.png
 * for the README. Its own site, so the other specs' test events stay out of the picture.
 */

const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const SITE = 'coffee';

function runTraffic(baseUrl: string, seconds: number): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/traffic.ts',
      '--url',
      baseUrl,
      '--site',
      SITE,
      '--rate',
      '40',
      '--duration',
      String(seconds),
      '--seed',
      'dashboard-screenshot',
    ],
    { cwd: ROOT_DIR, stdio: 'ignore' },
  );
  return new Promise((resolve) => child.once('exit', resolve));
}

test('screenshot of the live dashboard with demo traffic → docs/dashboard.png', async ({ browser }) => {
  test.setTimeout(120_000);
  const stack = readStack();
  const redis = new Redis(stack.redisUrl, { protocol: 2 });
  try {
    await new SiteStore(redis, createKeys(stack.prefix)).create({
      id: SITE,
      name: 'Riffle Coffee Co.',
      domain: 'coffee.example',
      allowedOrigins: [],
      respectDnt: false,
      createdAtMs: Date.now(),
    });
  } finally {
    redis.disconnect();
  }
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    storageState: ADMIN_STATE_FILE,
  });
  const page = await context.newPage();
  const traffic = runTraffic(stack.baseUrl, 40);
  await openDashboard(page, stack.baseUrl, SITE);
  expect(await traffic).toBe(0);
  await expect(page.getByTestId('panel-pages-list').getByTestId('breakdown-row').first()).toBeVisible();
  await expect(page.getByTestId('feed-row').first()).toBeVisible();
  // Let the last seconds of traffic reach every panel, then take the picture.
  await page.waitForTimeout(2_000);
  await page.screenshot({ path: SCREENSHOT, fullPage: true, animations: 'disabled' });
  await context.close();
});
