import { expect, test } from '@playwright/test';
import { openDashboard, postEvents, randomIp } from './support/dashboard';
import { readStack } from './support/stack';

/**
 * Everything on the dashboard that comes from visitors (paths, titles, event names, props, UTM values) is
 * rendered as text: no element, no script, no javascript: link can come out of an event.
 */

const payload = (n: number) => `<img src=x onerror="window.__pwned=${n}">`;

test('hostile paths, titles, event names and props render as inert text', async ({ page, request }) => {
  const stack = readStack();
  const run = Date.now();
  await page.addInitScript(() => {
    (window as unknown as { __pwned?: number }).__pwned = undefined;
  });
  await openDashboard(page, stack.baseUrl);

  await postEvents(
    request,
    stack.baseUrl,
    [
      {
        type: 'pageview',
        url: `https://shop.example/xss-${run}/${payload(1)}?utm_campaign=${encodeURIComponent(payload(2))}`,
        title: payload(3),
        referrer: 'https://evil.example/',
      },
      {
        type: payload(4),
        url: `https://shop.example/xss-${run}`,
        title: 'javascript:window.__pwned=5',
        props: { html: payload(6), link: 'javascript:window.__pwned=7', [payload(8)]: 'key' },
      },
    ],
    { ip: randomIp() },
  );

  const feed = page.getByTestId('feed-table');
  await expect(feed).toContainText(payload(3), { timeout: 5_000 }); // the title, as typed
  await expect(feed).toContainText(payload(4)); // the custom event's name
  await expect(feed).toContainText(`html=${payload(6)}`);
  await expect(feed).toContainText('link=javascript:window.__pwned=7');
  await expect(page.getByTestId('panel-pages-list')).toContainText(`/xss-${run}/`, { timeout: 5_000 });
  await expect(page.getByTestId('panel-custom-events-list')).toContainText(payload(4), { timeout: 5_000 });

  // Nothing became markup or a link.
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
  const hrefs = await page
    .locator('a[href]')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) expect(/^(\/|#|https?:)/.test(href), href).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Filtering by the hostile event name puts it in the URL and a chip, still as text.
  await page
    .getByTestId('panel-custom-events-list')
    .getByRole('button', { name: /Filter by Event/ })
    .first()
    .click();
  await expect(page.getByTestId('filter-chip-type')).toContainText(payload(4));
  expect(new URL(page.url()).searchParams.getAll('filter')).toContain(`type:${payload(4)}`);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
