import { expect, test } from '@playwright/test';
import { readStack } from './support/stack';

const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

test('the home page shows stored events as text, hostile strings included', async ({ page, request }) => {
  const stack = readStack();
  const hostilePath = `/x<img src=x onerror="window.__pwned=1">${Date.now()}`;
  const response = await request.post(`${stack.baseUrl}/api/collect`, {
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, 'x-forwarded-for': '81.2.69.200' },
    data: JSON.stringify({
      site: 'demo',
      events: [{ id: `xss${Date.now()}`, type: 'pageview', url: `https://shop.example${hostilePath}` }],
    }),
  });
  expect(response.status()).toBe(202);

  await page.goto(`${stack.baseUrl}/`);
  const table = page.getByTestId('live-events-table');
  await expect(table).toContainText('onerror', { timeout: 5_000 });
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await table.locator('img').count()).toBe(0);
});

test('the admin page lists the demo site with the snippet to paste', async ({ page }) => {
  const stack = readStack();
  await page.context().request.post(`${stack.baseUrl}/api/admin/login`, {
    headers: { origin: stack.baseUrl },
    data: { password: 'e2e-admin-password' },
  });
  await page.goto(`${stack.baseUrl}/admin`);
  const demo = page.getByTestId('site-demo');
  await expect(demo).toContainText('Demo shop');
  await expect(demo).toContainText(
    `<script defer src="${stack.baseUrl}/js/script.js" data-site="demo"></script>`,
  );
});

test('dashboards are private: anonymous visitors are sent to the login; a share link opens one site read-only', async ({
  browser,
  page,
}) => {
  const stack = readStack();
  const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const visitor = await anonymous.newPage();
  await visitor.goto(`${stack.baseUrl}/dashboard/demo`);
  await expect(visitor).toHaveURL(/\/login\?next=%2Fdashboard%2Fdemo/);

  // The admin (this test's default context is logged in) makes a share link.
  const share = await page.request.post(`${stack.baseUrl}/api/admin/sites/demo/share`, {
    headers: { origin: stack.baseUrl },
    data: { expiresInHours: 1 },
  });
  expect(share.status()).toBe(201);
  const { url } = (await share.json()) as { url: string };
  const shared = new URL(url);
  await visitor.goto(`${stack.baseUrl}${shared.pathname}${shared.search}`);
  await expect(visitor.getByTestId('connection-status')).toContainText(/connected|live/i, {
    timeout: 10_000,
  });
  await expect(visitor.getByTestId('stat-cards')).toBeVisible();
  await expect(visitor).toHaveURL(/\/dashboard\/demo/);
  const admin = await visitor.request.get(`${stack.baseUrl}/api/admin/windows`);
  expect(admin.status()).toBe(401);
  await anonymous.close();
});
