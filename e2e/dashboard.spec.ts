import { expect, test } from '@playwright/test';
import { PRODUCTS } from '../app/demo/catalogue';
import { breakdownCount, openDashboard, randomIp, stat } from './support/dashboard';
import { ADMIN_STATE_FILE, readStack } from './support/stack';

/**
 * Two pages, as a site owner sees Riffle: page A is a visitor in the demo shop (with the real snippet),
 * page B is the dashboard. What A does shows up on B within 2 s of the snippet delivering it.
 */

const WITHIN = { timeout: 2_000 };

// "Online now" is shared by every spec on the demo site: when a visitor of an earlier spec leaves the
// 5-minute window in the very second this visitor arrives, the count does not rise (seen in CI). A retry
// starts over with a new visitor; a visitor that is never counted still fails every attempt.
test.describe.configure({ retries: 2 });
const product = PRODUCTS[1];

test('a visitor’s pageviews, clicks and navigation appear on the dashboard live; leaving drops online now', async ({
  browser,
}) => {
  const stack = readStack();
  const dashboardContext = await browser.newContext({ storageState: ADMIN_STATE_FILE });
  const dashboard = await dashboardContext.newPage();
  await openDashboard(dashboard, stack.baseUrl);

  const online0 = await stat(dashboard, 'online');
  const pageviews0 = await stat(dashboard, 'pageviews');
  const home0 = await breakdownCount(dashboard, 'panel-pages', '/demo');
  const products0 = await breakdownCount(dashboard, 'panel-pages', '/demo/products');
  /** Feed rows of `type` on `path` that arrived after `sinceMs` (the feed starts with stored events). */
  const feedRows = (type: string, path: string, sinceMs: number) =>
    dashboard
      .getByTestId('feed-row')
      .evaluateAll(
        (rows, [t, p, since]) =>
          rows.filter(
            (row) =>
              row.getAttribute('data-type') === t &&
              Number(row.getAttribute('data-received')) >= Number(since) &&
              row.querySelector('td:nth-child(3)')?.firstChild?.textContent === p,
          ).length,
        [type, path, String(sinceMs)] as const,
      );

  const visitorContext = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': randomIp() } });
  // Playwright sets navigator.webdriver; the snippet's documented test switch lets it count anyway.
  await visitorContext.addInitScript(() => {
    (window as unknown as { __riffle_test: boolean }).__riffle_test = true;
  });
  const visitor = await visitorContext.newPage();
  const delivered = () =>
    visitor.waitForResponse((r) => r.url().endsWith('/api/collect') && r.request().method() === 'POST');

  // Page A loads: a pageview.
  let since = Date.now();
  let sent = delivered();
  await visitor.goto(`${stack.baseUrl}/demo`);
  expect((await sent).status()).toBe(202);
  await expect.poll(() => stat(dashboard, 'pageviews'), WITHIN).toBe(pageviews0 + 1);
  // Relative: visitors of earlier specs may leave the 5-minute window meanwhile.
  await expect.poll(() => stat(dashboard, 'online'), WITHIN).toBeGreaterThan(online0);
  await expect.poll(() => breakdownCount(dashboard, 'panel-pages', '/demo'), WITHIN).toBe(home0 + 1);
  await expect.poll(() => feedRows('pageview', '/demo', since), WITHIN).toBe(1);

  // A navigates (SPA): a click on the nav link and a pageview of the next page.
  since = Date.now();
  sent = delivered();
  await visitor.getByTestId('nav-products').click();
  await expect(visitor).toHaveURL(/\/demo\/products$/);
  expect((await sent).status()).toBe(202);
  await expect
    .poll(() => breakdownCount(dashboard, 'panel-pages', '/demo/products'), WITHIN)
    .toBe(products0 + 1);
  await expect.poll(() => stat(dashboard, 'pageviews'), WITHIN).toBe(pageviews0 + 2);
  await expect.poll(() => feedRows('click', '/demo', since), WITHIN).toBe(1);
  await expect.poll(() => feedRows('pageview', '/demo/products', since), WITHIN).toBe(1);

  // …and on to a product: top pages moves with it.
  since = Date.now();
  sent = delivered();
  await visitor.getByTestId(`product-card-${product?.slug}`).click();
  await expect(visitor).toHaveURL(new RegExp(`/demo/products/${product?.slug}$`));
  expect((await sent).status()).toBe(202);
  await expect
    .poll(() => breakdownCount(dashboard, 'panel-pages', `/demo/products/${product?.slug}`), WITHIN)
    .toBe(1);
  await expect.poll(() => feedRows('pageview', `/demo/products/${product?.slug}`, since), WITHIN).toBe(1);

  // A closes: the snippet's leave beacon takes the visitor out of "online now" at once.
  const online1 = await stat(dashboard, 'online');
  await visitor.close({ runBeforeUnload: true });
  await expect.poll(() => stat(dashboard, 'online'), { timeout: 5_000 }).toBeLessThan(online1);

  await visitorContext.close();
  await dashboardContext.close();
});
