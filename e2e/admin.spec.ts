import { type APIRequestContext, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { freePort } from '../scripts/redis-server';
import { stackEnvironment, startServer } from './support/processes';
import { readStack } from './support/stack';

// These tests log in through the UI: start anonymous (the suite's saved admin login is not used here).
test.use({ storageState: { cookies: [], origins: [] } });

/**
 * The admin UI in a real browser against the real server and aggregator: the login gate, a window written
 * in SQL (errors marked at their line and column, a preview, saving), counted from the demo shop's clicks
 * and shown on the dashboard; sites created, verified, shared and deleted; pipeline health.
 */

const PASSWORD = 'e2e-admin-password';
const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const HOUR_MS = 3_600_000;

const randomIp = () => `81.2.69.${1 + Math.floor(Math.random() * 250)}`;
let sequence = 0;

/** Logs the page's browser context in through the API (the login page itself is tested separately). */
async function logIn(context: BrowserContext, baseUrl: string): Promise<void> {
  const response = await context.request.post(`${baseUrl}/api/admin/login`, {
    headers: { origin: baseUrl },
    data: { password: PASSWORD },
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function collect(
  request: APIRequestContext,
  baseUrl: string,
  site: string,
  events: Array<{ type: string; url: string }>,
): Promise<void> {
  const response = await request.post(`${baseUrl}/api/collect`, {
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, 'x-forwarded-for': randomIp() },
    data: JSON.stringify({
      site,
      events: events.map((e) => ({ id: `adm${Date.now().toString(36)}${(sequence++).toString(36)}x`, ...e })),
    }),
  });
  expect(response.status(), await response.text()).toBe(202);
}

/** The sum of one value over every result of a window for a site (`GET /api/stats/:site/:window`). */
async function statsTotal(
  request: APIRequestContext,
  baseUrl: string,
  site: string,
  window: string,
  value: string,
): Promise<{ total: number; watermark: number | null }> {
  const response = await request.get(`${baseUrl}/api/stats/${site}/${window}?limit=1000`);
  if (!response.ok()) return { total: -1, watermark: null };
  const body = (await response.json()) as {
    watermark: number | null;
    results: Array<{ values: Record<string, unknown> }>;
  };
  const total = body.results.reduce(
    (sum, r) => sum + (typeof r.values[value] === 'number' ? (r.values[value] as number) : 0),
    0,
  );
  return { total, watermark: body.watermark };
}

/** Types into the SQL editor as a user would replace its text. */
async function setSql(page: Page, sql: string): Promise<void> {
  const input = page.getByTestId('sql-input');
  await input.fill(sql);
}

test('an anonymous visit to /admin/windows lands on /login; a wrong password is refused; then back to the windows', async ({
  page,
}) => {
  const stack = readStack();
  await page.goto(`${stack.baseUrl}/admin/windows`);
  await expect(page).toHaveURL(`${stack.baseUrl}/login?next=%2Fadmin%2Fwindows`);
  await expect(page.getByRole('heading', { name: 'Admin login' })).toBeVisible();

  // The password field has focus: typing goes straight in.
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('login-error')).toHaveText('Wrong password.');
  await expect(page.getByTestId('login-password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('login-password')).toBeFocused();

  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(`${stack.baseUrl}/admin/windows`);
  await expect(page.getByTestId('window-table')).toBeVisible();
  await expect(page.getByTestId('window-row-pageviews_1m')).toContainText('built-in');
  // Built-ins can be paused, not edited or deleted.
  await expect(page.getByTestId('window-edit-pageviews_1m')).toHaveCount(0);
  await expect(page.getByTestId('window-delete-pageviews_1m')).toHaveCount(0);

  // Logging out ends the session: the gate sends the next visit to the login page again.
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(`${stack.baseUrl}/login`);
  await page.goto(`${stack.baseUrl}/admin/health`);
  await expect(page).toHaveURL(`${stack.baseUrl}/login?next=%2Fadmin%2Fhealth`);
});

test('too many wrong passwords: "too many attempts, retry in N s" from Retry-After; the button waits', async ({
  browser,
}) => {
  const stack = readStack();
  // Its own client address (loopback proxies are trusted): the lockout stays with this test.
  const context = await browser.newContext({
    extraHTTPHeaders: { 'X-Forwarded-For': `203.0.113.${1 + Math.floor(Math.random() * 250)}` },
  });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/login?next=%2Fadmin%2Fhealth`);
  await expect(page.getByText('Then on to')).toContainText('/admin/health');
  // The default allowance is 10 failures per 15 minutes.
  for (let i = 0; i < 10; i++) {
    const response = await context.request.post(`${stack.baseUrl}/api/admin/login`, {
      headers: { origin: stack.baseUrl },
      data: { password: `wrong-${i}` },
    });
    expect(response.status()).toBe(401);
  }
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText(/^Too many attempts: retry in \d+ s\.$/);
  const seconds = Number(/(\d+) s/.exec((await page.getByTestId('login-error').textContent()) ?? '')?.[1]);
  expect(seconds).toBeGreaterThan(60);
  expect(seconds).toBeLessThanOrEqual(15 * 60);
  await expect(page.getByTestId('login-submit')).toBeDisabled();
  await context.close();
});

test('a server without ADMIN_PASSWORD says how to enable the login, on /login and on every admin page', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const stack = readStack();
  // Its own server process (same Redis) without a password: login disabled.
  const env = stackEnvironment(stack);
  delete env['ADMIN_PASSWORD'];
  const port = await freePort();
  const server = await startServer(env, port);
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await page.goto(`${baseUrl}/login`);
    await expect(page.getByTestId('login-disabled')).toContainText('ADMIN_PASSWORD');
    await expect(page.getByTestId('login-password')).toHaveCount(0);
    await page.goto(`${baseUrl}/admin/windows`);
    await expect(page).toHaveURL(`${baseUrl}/admin/windows`);
    await expect(page.getByTestId('admin-disabled')).toContainText(/set ADMIN_PASSWORD/i);
  } finally {
    await server.stop();
  }
});

test('a tumbling window in SQL: errors marked at line and column, preview, save, counted from the shop’s clicks on the dashboard', async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const stack = readStack();
  await logIn(page.context(), stack.baseUrl);
  const stamp = Date.now().toString(36);
  const name = `E2E clicks ${stamp}`;
  const id = `e2e_clicks_${stamp}`;

  await page.goto(`${stack.baseUrl}/admin/windows/new`);
  await page.getByTestId('window-name').fill(name);
  await expect(page.getByTestId('window-id')).toHaveValue(id);
  await page.getByTestId('window-site').selectOption('demo');
  await page.getByTestId('tab-sql').click();
  await expect(page.getByTestId('tab-sql')).toHaveAttribute('aria-selected', 'true');
  // The form's default window came over as SQL.
  await expect(page.getByTestId('sql-input')).toHaveValue(/SELECT STREAM/);

  // A typo on line 2: the message names line 2, column 1 and the marker sits under "FORM".
  await setSql(page, 'SELECT STREAM COUNT(*) AS clicks\nFORM clicks');
  await expect(page.getByTestId('sql-error-position')).toHaveText('Line 2, column 1');
  await expect(page.getByTestId('sql-error-message')).toContainText('but found "FORM"');
  await expect(page.getByTestId('sql-error-marker')).toHaveText('FORM');
  await expect(page.getByTestId('sql-error-caret')).toHaveText('^^^^');
  await expect(page.getByTestId('sql-error-marker')).toBeVisible();
  const textarea = await page.getByTestId('sql-input').boundingBox();
  const line2 = await page.getByTestId('sql-error-marker').boundingBox();
  expect(textarea && line2).toBeTruthy();
  if (textarea && line2) {
    // Below the first line, at the left edge of the text.
    expect(line2.y).toBeGreaterThan(textarea.y + line2.height * 0.9);
    expect(line2.x - textarea.x).toBeLessThan(20);
  }

  // An unknown column in the middle of line 3: line 3, column 7, marked in place.
  await setSql(
    page,
    "SELECT STREAM COUNT(*) AS clicks\nFROM clicks\nWHERE typ = 'click'\nGROUP BY STEP(clicks.ROWTIME BY INTERVAL '1' HOUR);",
  );
  await expect(page.getByTestId('sql-error-position')).toHaveText('Line 3, column 7');
  await expect(page.getByTestId('sql-error-message')).toContainText('unknown column typ');
  await expect(page.getByTestId('sql-error-marker')).toHaveText('typ');
  await expect(page.getByTestId('sql-error-caret')).toHaveText('      ^^^');
  const line3 = await page.getByTestId('sql-error-marker').boundingBox();
  if (textarea && line3 && line2) {
    expect(line3.y).toBeGreaterThan(line2.y + line2.height * 0.9);
    expect(line3.x).toBeGreaterThan(line2.x + 20);
  }
  // With an error the editor stays on SQL.
  await page.getByTestId('tab-form').click();
  await expect(page.getByTestId('tab-note')).toBeVisible();
  await expect(page.getByTestId('tab-sql')).toHaveAttribute('aria-selected', 'true');

  // One-hour windows: every click of this test lands in one window, so the dashboard can show the total.
  await setSql(
    page,
    "SELECT STREAM COUNT(*) AS clicks FROM clicks WHERE type = 'click'\nGROUP BY STEP(clicks.ROWTIME BY INTERVAL '1' HOUR);",
  );
  await expect(page.getByTestId('sql-ok')).toContainText('tumbling 1 h');
  await expect(page.getByTestId('sql-error')).toHaveCount(0);

  // Round trip: the form shows the SQL's window, and back.
  await page.getByTestId('tab-form').click();
  await expect(page.getByTestId('type-tumbling')).toBeChecked();
  await expect(page.getByTestId('size')).toHaveValue('1');
  await expect(page.getByTestId('size-unit')).toHaveValue('h');
  await expect(page.getByTestId('filter-field-0')).toHaveValue('type');
  await expect(page.getByTestId('filter-value-0')).toHaveValue('click');
  await expect(page.getByTestId('aggregate-name-0')).toHaveValue('clicks');
  // Validated as you type, with the API's message at the field.
  await page.getByTestId('aggregate-name-0').fill('Clicks!');
  await expect(page.getByTestId('error-aggregates.0.name')).toHaveText(
    'must match /^[a-z_][a-z0-9_]{0,63}$/',
  );
  await page.getByTestId('aggregate-name-0').fill('clicks');
  await expect(page.getByTestId('error-aggregates.0.name')).toHaveCount(0);
  await page.getByTestId('tab-sql').click();
  await expect(page.getByTestId('sql-input')).toHaveValue(/INTERVAL '1' HOUR/);

  // Preview over the last 5 minutes, with two clicks of our own in it.
  await collect(request, stack.baseUrl, 'demo', [
    { type: 'click', url: `https://shop.example/preview-${stamp}` },
    { type: 'click', url: `https://shop.example/preview-${stamp}` },
  ]);
  await page.getByTestId('preview-minutes').fill('5');
  await page.getByTestId('preview-run').click();
  await expect(page.getByTestId('preview-result')).toBeVisible();
  await expect(page.getByTestId('preview-table')).toBeVisible();
  const previewClicks = await page
    .locator('[data-testid="preview-row"] td[data-column="clicks"]')
    .allTextContents();
  expect(previewClicks.reduce((sum, text) => sum + Number(text), 0)).toBeGreaterThanOrEqual(2);
  expect(Number(await page.getByTestId('preview-scanned').textContent())).toBeGreaterThanOrEqual(2);

  // Save, counting from now.
  await expect(page.getByTestId('start-now')).toBeChecked();
  await page.getByTestId('window-save').click();
  await expect(page.getByTestId('save-ok')).toContainText(`(${id}, version 1), counting from now`);

  // The aggregator has picked the window up once every shard reports a watermark for it.
  await expect
    .poll(async () => (await statsTotal(page.request, stack.baseUrl, 'demo', id, 'clicks')).watermark, {
      timeout: 15_000,
    })
    .not.toBeNull();
  // Keep the clicks inside one hour window (the test takes seconds; wait out an hour about to turn).
  const toNextHour = HOUR_MS - (Date.now() % HOUR_MS);
  if (toNextHour < 30_000) await page.waitForTimeout(toNextHour + 1_000);

  // A visitor clicks the shop's "Home" link three times (same page: clicks, no pageviews).
  const visitorContext = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': randomIp() } });
  await visitorContext.addInitScript(() => {
    (window as unknown as { __riffle_test: boolean }).__riffle_test = true;
  });
  const visitor = await visitorContext.newPage();
  const pageview = visitor.waitForResponse((r) => r.url().endsWith('/api/collect'));
  await visitor.goto(`${stack.baseUrl}/demo`);
  expect((await pageview).status()).toBe(202);
  for (let i = 0; i < 3; i++) {
    await visitor.getByTestId('nav-home').click();
    await visitor.waitForTimeout(150);
  }
  await expect
    .poll(async () => (await statsTotal(page.request, stack.baseUrl, 'demo', id, 'clicks')).total, {
      timeout: 15_000,
    })
    .toBe(3);

  // Its panel on the dashboard shows the count.
  await page.goto(`${stack.baseUrl}/dashboard/demo`);
  const panel = page.getByTestId(`window-panel-${id}`);
  await expect(panel).toBeVisible({ timeout: 15_000 });
  await expect(panel).toContainText(name);
  await expect(panel.locator('dd').first()).toHaveText('3', { timeout: 15_000 });

  // The windows list shows it running, with results.
  await page.goto(`${stack.baseUrl}/admin/windows`);
  await expect(page.getByTestId(`window-state-${id}`)).toHaveText('running');
  await expect(page.getByTestId(`window-row-${id}`)).toContainText('tumbling 1 h');
  await visitorContext.close();
});

test('an edit that changes the query is a new version; pause, resume and delete from the list', async ({
  page,
}) => {
  const stack = readStack();
  await logIn(page.context(), stack.baseUrl);
  const id = `e2e_edit_${Date.now().toString(36)}`;
  const created = await page.request.post(`${stack.baseUrl}/api/admin/windows`, {
    headers: { origin: stack.baseUrl },
    data: {
      sql: "SELECT STREAM path, COUNT(*) AS views FROM clicks GROUP BY path, STEP(ROWTIME BY INTERVAL '1' MINUTE)",
      id,
      name: 'Views',
    },
  });
  expect(created.status()).toBe(201);

  await page.goto(`${stack.baseUrl}/admin/windows/${id}`);
  await expect(page.getByTestId('tab-sql')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('version-note')).toContainText('stays version 1');
  await page.getByTestId('tab-form').click();
  await page.getByTestId('size').fill('5');
  await expect(page.getByTestId('version-note')).toHaveAttribute('data-semantic', 'true');
  await expect(page.getByTestId('version-note')).toContainText('saved as version 2');
  await page.getByTestId('start-backfill').check();
  await page.getByTestId('window-save').click();
  await expect(page.getByTestId('save-ok')).toContainText(
    'version 2), back-filling from the start of retention',
  );

  await page.goto(`${stack.baseUrl}/admin/windows`);
  const row = page.getByTestId(`window-row-${id}`);
  await expect(row).toContainText('v2');
  await page.getByTestId(`window-toggle-${id}`).click();
  await expect(page.getByTestId(`window-state-${id}`)).toHaveText('paused');
  await page.getByTestId(`window-toggle-${id}`).click();
  await expect(page.getByTestId(`window-state-${id}`)).not.toHaveText('paused');
  await page.getByTestId(`window-delete-${id}`).click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-dialog-confirm').click();
  await expect(row).toHaveCount(0);
});

test('sites: create (hostile name shown as text), snippet, verify the first event, share, edit, delete', async ({
  page,
  request,
}) => {
  const stack = readStack();
  await logIn(page.context(), stack.baseUrl);
  const site = `e2e-${Date.now().toString(36)}`;
  const hostile = `Shop <img src=x onerror="window.__pwned=1">`;

  await page.goto(`${stack.baseUrl}/admin/sites`);
  await expect(page.getByTestId('site-demo')).toContainText('Demo shop');
  await expect(page.getByTestId('snippet-demo')).toHaveText(
    `<script defer src="${stack.baseUrl}/js/script.js" data-site="demo"></script>`,
  );
  await expect(page.getByTestId('dashboard-link-demo')).toHaveAttribute('href', '/dashboard/demo');
  await page.getByTestId('site-new').click();
  await page.getByTestId('site-id').fill('Bad Id');
  await expect(page.getByTestId('error-site-id')).toContainText('must be 1–64 characters');
  await page.getByTestId('site-id').fill(site);
  await page.getByTestId('site-name').fill(hostile);
  await page.getByTestId('site-add-origin').click();
  await page.getByTestId('site-origin-0').fill('ftp://nope');
  await expect(page.getByTestId('error-site-origin-0')).toContainText('must be "*" or an origin');
  await page.getByTestId('site-origin-0').fill('https://shop.example');
  await page.getByTestId('site-dnt').check();
  await page.getByTestId('site-save').click();

  const createdPanel = page.getByTestId('site-created');
  await expect(page.getByTestId('created-snippet')).toHaveText(
    `<script defer src="${stack.baseUrl}/js/script.js" data-site="${site}"></script>`,
  );
  await expect(createdPanel).toContainText(hostile);
  await expect(page.getByTestId(`verify-${site}`)).toHaveAttribute('data-state', 'waiting');
  await collect(request, stack.baseUrl, site, [{ type: 'pageview', url: 'https://shop.example/first' }]);
  await expect(page.getByTestId(`verify-${site}`)).toHaveAttribute('data-state', 'installed', {
    timeout: 10_000,
  });
  await expect(page.getByTestId(`verify-${site}`)).toContainText('/first');

  const card = page.getByTestId(`site-${site}`);
  await expect(card).toContainText('https://shop.example');
  await expect(card).toContainText('honoured');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await card.locator('img').count()).toBe(0);

  await page.getByTestId(`site-share-${site}`).click();
  await page.getByTestId('share-hours').fill('2');
  await page.getByTestId('share-create').click();
  await expect(page.getByTestId('share-url')).toHaveValue(new RegExp(`/dashboard/${site}\\?share=`));

  await page.getByTestId(`site-edit-${site}`).click();
  await card.getByTestId('site-name').fill('Renamed shop');
  await card.getByTestId('site-save').click();
  await expect(card.getByRole('heading')).toContainText('Renamed shop');

  await page.getByTestId(`site-delete-${site}`).click();
  await expect(card.getByTestId('confirm-dialog')).toBeVisible();
  await card.getByTestId('confirm-dialog-confirm').click();
  await expect(page.getByTestId(`site-${site}`)).toHaveCount(0);
});

test('pipeline health: shards with their aggregator, stages and counters, refreshed', async ({ page }) => {
  const stack = readStack();
  await logIn(page.context(), stack.baseUrl);
  await page.goto(`${stack.baseUrl}/admin/health`);
  await expect(page.getByTestId('health-shards')).toBeVisible();
  await expect(page.getByTestId('shard-0-aggregator')).toBeVisible();
  await expect(page.getByTestId('stage-accepted')).toContainText(/\d/);
  await expect(page.getByTestId('stage-aggregated')).toContainText(/\d/);
  const first = await page.getByTestId('health-updated').textContent();
  expect(first).toBeTruthy();
  // Pushed every second: the aggregator's commit clock keeps moving.
  await expect(page.getByTestId('health-updated')).toContainText(/Updated (just now|1 s ago)/);
  // Live over socket.io: once the dot says so, the page no longer asks GET /api/admin/health.
  await expect(page.getByTestId('health-link')).toHaveAttribute('data-state', 'live');
  const polls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/admin/health') polls.push(request.url());
  });
  await page.waitForTimeout(2_500);
  expect(polls).toEqual([]);
  await expect(page.getByTestId('health-updated')).toContainText(/Updated (just now|1 s ago)/);
});

test('pipeline health without a socket: it falls back to GET /api/admin/health every second', async ({
  page,
}) => {
  const stack = readStack();
  await logIn(page.context(), stack.baseUrl);
  // No socket.io at all, neither WebSocket nor long-polling.
  await page.routeWebSocket(/\/socket\.io\//, (ws) => ws.close());
  await page.route(/\/socket\.io\//, (route) => route.abort());
  let polls = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/admin/health') polls++;
  });
  await page.goto(`${stack.baseUrl}/admin/health`);
  await expect(page.getByTestId('shard-0-aggregator')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('health-link')).not.toHaveAttribute('data-state', 'live');
  const before = polls;
  await page.waitForTimeout(2_500);
  expect(polls - before).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('health-updated')).toContainText(/Updated (just now|1 s ago)/);
});
