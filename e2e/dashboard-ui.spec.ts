import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { DefinitionStore } from '../lib/aggregation/definition-store';
import { createKeys } from '../lib/redis/keys';
import { SiteStore } from '../lib/sites/site-store';
import { defineWindow } from '../lib/windows/definition';
import { openDashboard, postEvents, randomIp } from './support/dashboard';
import { ADMIN_STATE_FILE, readStack } from './support/stack';

/** Filters in the URL, periods, CSV export, keyboard use, dark mode, the empty state, the site picker. */

test.beforeAll(async ({ request }) => {
  const stack = readStack();
  const ip = randomIp();
  await postEvents(
    request,
    stack.baseUrl,
    [
      { type: 'pageview', url: 'https://shop.example/ui/pricing', referrer: 'https://www.google.com/' },
      { type: 'pageview', url: 'https://shop.example/ui/pricing', referrer: 'https://www.google.com/' },
      { type: 'pageview', url: 'https://shop.example/ui/a,b' },
      { type: 'say "hi", then', url: 'https://shop.example/ui/a,b' },
    ],
    { ip },
  );
});

test('clicking a row filters the dashboard through the URL; chips remove; back and forward work', async ({
  page,
}) => {
  const stack = readStack();
  await openDashboard(page, stack.baseUrl);
  const row = page
    .getByTestId('panel-pages-list')
    .getByRole('button', { name: /Filter by Page \/ui\/pricing/ });
  await expect(row).toBeVisible({ timeout: 5_000 });
  await row.click();
  await expect(page).toHaveURL(/filter=path%3A%2Fui%2Fpricing/);
  await expect(page.getByTestId('filter-chip-path')).toContainText('/ui/pricing');
  // Filtered views come from the ad-hoc query API; either its answer or a clear "not available".
  await expect(page.getByTestId('query-unavailable').or(page.getByTestId('range-freshness'))).toBeVisible({
    timeout: 10_000,
  });

  await page.goBack();
  await expect(page.getByTestId('filter-chips')).toHaveCount(0);
  await page.goForward();
  await expect(page.getByTestId('filter-chip-path')).toBeVisible();

  await page.getByRole('button', { name: 'Remove filter Page is /ui/pricing' }).click();
  await expect(page.getByTestId('filter-chips')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.getAll('filter')).toEqual([]);
});

test('a shared link opens with its filters and period; presets switch period', async ({ page }) => {
  const stack = readStack();
  await page.goto(`${stack.baseUrl}/dashboard/demo?period=1h&filter=source:Google`);
  await expect(page.getByTestId('filter-chip-source')).toContainText('Google');
  await expect(page.getByTestId('period-picker').getByRole('button', { name: 'Last hour' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(page.getByTestId('query-unavailable').or(page.getByTestId('range-freshness'))).toBeVisible({
    timeout: 10_000,
  });
  await page.getByTestId('period-picker').getByRole('button', { name: 'Realtime' }).click();
  await expect(page).toHaveURL(/\/dashboard\/demo\?filter=source%3AGoogle$/);
});

test('keyboard: Tab reaches a row, it shows its focus, Enter filters', async ({ page }) => {
  const stack = readStack();
  await openDashboard(page, stack.baseUrl);
  const rows = page.getByTestId('panel-pages-list').getByRole('button');
  await expect(rows.first()).toBeVisible({ timeout: 5_000 });
  // From the panel's CSV button, the next stop is its first row.
  await page.getByRole('button', { name: 'Export Pages as CSV' }).focus();
  await page.keyboard.press('Tab');
  await expect(rows.first()).toBeFocused();
  const outline = await rows.first().evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('filter-chip-path')).toBeVisible();
  await page.getByRole('button', { name: /^Remove filter Page is/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('filter-chips')).toHaveCount(0);
});

test('CSV export of a panel is RFC 4180, built in the browser', async ({ page }) => {
  const stack = readStack();
  await openDashboard(page, stack.baseUrl);
  await expect(page.getByTestId('panel-pages-list')).toContainText('/ui/a,b', { timeout: 5_000 });
  const exported = async (panel: string): Promise<[string, string]> => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export ${panel} as CSV` }).click(),
    ]);
    return [download.suggestedFilename(), readFileSync((await download.path()) ?? '', 'utf8')];
  };
  const [name, pages] = await exported('Pages');
  expect(name).toMatch(/^riffle-demo-pages-\d{8}-\d{6}\.csv$/);
  expect(pages.startsWith('Page,Pageviews\r\n')).toBe(true);
  expect(pages).toContain('\r\n/ui/pricing,2\r\n');
  expect(pages).toContain('\r\n"/ui/a,b",1\r\n');
  await expect(page.getByTestId('panel-custom-events-list')).toContainText('say "hi", then');
  const [, events] = await exported('Events');
  expect(events).toContain('\r\n"say ""hi"", then",1\r\n');
});

test('dark mode follows the OS and the toggle is remembered', async ({ browser }) => {
  const stack = readStack();
  const context = await browser.newContext({ colorScheme: 'dark', storageState: ADMIN_STATE_FILE });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/dashboard/demo`);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect.poll(background).toBe('rgb(18, 17, 16)');
  await page.getByTestId('theme-toggle').click();
  await expect.poll(background).toBe('rgb(250, 250, 249)');
  await page.reload();
  await expect.poll(background).toBe('rgb(250, 250, 249)');
  expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
  await context.close();
});

test('a site without events shows the snippet and waits for its first event', async ({ page, request }) => {
  const stack = readStack();
  const site = `empty${Date.now().toString(36)}`;
  const redis = new Redis(stack.redisUrl, { protocol: 2 });
  try {
    await new SiteStore(redis, createKeys(stack.prefix)).create({
      id: site,
      name: 'Empty site',
      allowedOrigins: [],
      respectDnt: false,
      createdAtMs: Date.now(),
    });
  } finally {
    redis.disconnect();
  }
  await page.goto(`${stack.baseUrl}/dashboard/${site}`);
  await expect(page.getByTestId('empty-state')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('empty-snippet')).toHaveText(
    `<script defer src="${stack.baseUrl}/js/script.js" data-site="${site}"></script>`,
  );
  await expect(page.getByTestId('waiting-first-event')).toBeVisible();

  await postEvents(request, stack.baseUrl, [{ type: 'pageview', url: 'https://empty.example/first' }], {
    ip: randomIp(),
    site,
  });
  await expect(page.getByTestId('empty-state')).toHaveCount(0, { timeout: 5_000 });
  await expect(page.getByTestId('feed-table')).toContainText('/first');
});

test('the home page picks a site; the dashboard links to the admin; a phone gets one column', async ({
  browser,
}) => {
  const stack = readStack();
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    storageState: ADMIN_STATE_FILE,
  });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/`);
  await page.getByTestId('open-dashboard-demo').click();
  await expect(page).toHaveURL(/\/dashboard\/demo$/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected', {
    timeout: 15_000,
  });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole('link', { name: 'Sites & admin' })).toHaveAttribute('href', '/admin');
  await context.close();
});

test('every window defined in the admin gets a panel of its own, charted by its type', async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  const stack = readStack();
  await openDashboard(page, stack.baseUrl);
  const redis = new Redis(stack.redisUrl, { protocol: 2 });
  const now = Date.now();
  const ids = { series: `e2e_series_${now}`, grouped: `e2e_grouped_${now}`, percentiles: `e2e_p_${now}` };
  try {
    const store = new DefinitionStore(redis, createKeys(stack.prefix));
    const common = { version: 1, site: 'demo', time: 'ingest' } as const;
    const definitions = [
      defineWindow({
        ...common,
        id: ids.series,
        name: 'E2E events per 10 s',
        type: 'tumbling',
        sizeMs: 10_000,
        aggregates: [{ name: 'events', fn: 'count' }],
      }),
      defineWindow({
        ...common,
        id: ids.grouped,
        name: 'E2E pageviews by browser',
        type: 'sliding',
        sizeMs: 600_000,
        everyMs: 10_000,
        groupBy: ['browser'],
        aggregates: [{ name: 'views', fn: 'count' }],
      }),
      defineWindow({
        ...common,
        id: ids.percentiles,
        name: 'E2E screen widths',
        type: 'tumbling',
        sizeMs: 60_000,
        aggregates: [
          { name: 'p50', fn: 'p50', field: 'screenWidth' },
          { name: 'p90', fn: 'p90', field: 'screenWidth' },
          { name: 'p99', fn: 'p99', field: 'screenWidth' },
        ],
      }),
    ];
    for (const definition of definitions) {
      await store.put({
        definition,
        status: 'running',
        builtin: false,
        createdAtMs: now,
        updatedAtMs: now,
        startFrom: 'trim_horizon',
      });
    }
  } finally {
    redis.disconnect();
  }
  // The open dashboard reads the window list again every 15 s: new windows get a panel (and a
  // subscription) without a reload.
  for (const id of Object.values(ids))
    await expect(page.getByTestId(`window-panel-${id}`)).toBeVisible({ timeout: 20_000 });

  await postEvents(
    request,
    stack.baseUrl,
    [1024, 1280, 1920].map((w) => ({
      type: 'pageview',
      url: 'https://shop.example/ui/widths',
      screenWidth: w,
    })),
    { ip: randomIp() },
  );
  await expect(
    page.getByTestId(`window-panel-${ids.grouped}`).getByTestId('breakdown-row').first(),
  ).toBeVisible({
    timeout: 5_000,
  });
  await expect(page.getByTestId(`window-panel-${ids.grouped}`)).toContainText('Chrome');
  await expect(page.getByTestId(`window-panel-${ids.percentiles}`)).toContainText('p90 screenWidth');
  await expect(
    page.getByTestId(`window-panel-${ids.percentiles}`).getByTestId('summary-value').nth(1),
  ).not.toHaveText('—', { timeout: 5_000 });
  await expect(
    page.getByTestId(`window-panel-${ids.series}`).getByTestId('summary-value').first(),
  ).not.toHaveText('—');
});
