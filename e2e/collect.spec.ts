import { expect, test } from '@playwright/test';
import { OUTBOUND, PRODUCTS } from '../app/demo/catalogue';
import { readStack, type StoredEvent, waitForEvents } from './support/stack';

/**
 * The snippet in a real browser against the real server: the demo shop's SPA navigation, clicks, custom
 * events and the page-hide beacon all land in the shards, enriched, exactly once.
 */

const product = PRODUCTS[0];

test.beforeEach(async ({ context }) => {
  // A fresh client address per test gives each test its own visitor id (the server trusts
  // X-Forwarded-For from loopback peers, as from a local reverse proxy). 81.2.69.0/24 is in the UK.
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': `81.2.69.${1 + Math.floor(Math.random() * 250)}` });
  // Playwright sets navigator.webdriver; the snippet's documented test switch lets it count anyway.
  await context.addInitScript(() => {
    (window as unknown as { __riffle_test: boolean }).__riffle_test = true;
  });
  // Outbound links point at example.com; there is no internet here.
  await context.route(/^https:\/\/(example\.com|twitter\.com)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<p>elsewhere</p>' }),
  );
});

function eventsOf(events: StoredEvent[], runId: string): StoredEvent[] {
  return events.filter(
    (e) => e.event.url.includes(`run=${runId}`) || e.event.referrer?.includes(`run=${runId}`),
  );
}

test('demo shop: pageviews, clicks, a custom event and the leave beacon land in the shards', async ({
  context,
  page,
}) => {
  const stack = readStack();
  const runId = `a${Date.now()}`;
  // Record what goes out through navigator.sendBeacon (into localStorage, which outlives the page).
  await context.addInitScript(() => {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      const log = JSON.parse(localStorage.getItem('__beacons') ?? '[]') as string[];
      log.push(String(data));
      localStorage.setItem('__beacons', JSON.stringify(log));
      return send(url, data);
    };
  });

  await page.goto(`${stack.baseUrl}/demo?run=${runId}`);
  await page.getByTestId('nav-products').click();
  await expect(page).toHaveURL(/\/demo\/products$/);
  await page.getByTestId(`product-card-${product?.slug}`).click();
  await expect(page).toHaveURL(new RegExp(`/demo/products/${product?.slug}$`));
  await page.getByTestId('add-to-cart').click();
  // Ctrl-click opens the outbound link in a new tab, so this page stays (its click is still tracked).
  const [outboundTab] = await Promise.all([
    context.waitForEvent('page'),
    page.getByTestId('outbound-supplier').click({ modifiers: ['Control'] }),
  ]);
  await outboundTab.close();
  await page.waitForTimeout(300);
  await page.close({ runBeforeUnload: true });

  // The first pageview carries ?run=…; the rest of the visit is found through the same visitor id.
  const events = await waitForEvents(stack, (all) => {
    const first = eventsOf(all, runId)[0];
    return (
      first !== undefined &&
      all.some((e) => e.event.visitor === first.event.visitor && e.event.type === 'leave')
    );
  });
  const visitor = eventsOf(events, runId)[0]?.event.visitor;
  expect(visitor).toBeDefined();
  const visit = events.filter((e) => e.event.visitor === visitor).map((e) => e.event);

  const pageviews = visit.filter((e) => e.type === 'pageview').map((e) => e.path);
  expect(pageviews).toEqual(['/demo', '/demo/products', `/demo/products/${product?.slug}`]);
  expect(visit.filter((e) => e.type === 'pageview').map((e) => e.sourceType)).toEqual([
    'direct',
    'internal',
    'internal',
  ]);

  const navClick = visit.find((e) => e.type === 'click' && e.target?.text === 'Products');
  expect(navClick?.target?.tag).toBe('a');
  expect(navClick?.target?.selector).toBeTruthy();
  expect(navClick?.target?.outbound).toBe(false);

  const addToCart = visit.find((e) => e.type === 'add_to_cart');
  expect(addToCart?.path).toBe(`/demo/products/${product?.slug}`);

  const outbound = visit.find((e) => e.type === 'click' && e.target?.outbound === true);
  expect(outbound?.target?.href).toBe(OUTBOUND.supplier);

  expect(visit.some((e) => e.type === 'engagement' && (e.engagedMs ?? 0) > 0)).toBe(true);
  expect(visit.at(-1)?.type).toBe('leave');
  // The leave event went out by navigator.sendBeacon while the page was closing.
  const inspector = await context.newPage();
  await inspector.goto(`${stack.baseUrl}/healthz`);
  const beacons = await inspector.evaluate(() => localStorage.getItem('__beacons') ?? '[]');
  const leaveId = visit.at(-1)?.id ?? '';
  expect(leaveId).not.toBe('');
  expect(beacons).toContain(leaveId);

  for (const e of visit) {
    expect(e.country).toBe('GB');
    expect(e.browser).toBe('Chrome');
    expect(e.device).toBe('desktop');
  }
  const ids = visit.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
});

test('a collect endpoint that fails twice: the retry delivers every event exactly once', async ({
  context,
  page,
}) => {
  const stack = readStack();
  const runId = `b${Date.now()}`;
  let failuresLeft = 2;
  const sentIds: string[] = [];
  await context.route('**/api/collect', async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}') as { e?: Array<{ i: string }> };
    for (const event of body.e ?? []) sentIds.push(event.i);
    if (failuresLeft > 0) {
      failuresLeft--;
      await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"test outage"}' });
      return;
    }
    await route.continue();
  });

  await page.goto(`${stack.baseUrl}/demo?run=${runId}`);
  await page.getByTestId('nav-products').click();
  await page.getByTestId('nav-signup').click();
  await expect(page).toHaveURL(/\/demo\/signup$/);

  const events = await waitForEvents(
    stack,
    (all) => {
      const first = eventsOf(all, runId)[0];
      return (
        failuresLeft === 0 &&
        first !== undefined &&
        all.filter((e) => e.event.visitor === first.event.visitor && e.event.type === 'pageview').length >= 3
      );
    },
    20_000,
  );
  expect(failuresLeft).toBe(0);
  const visitor = eventsOf(events, runId)[0]?.event.visitor;
  const stored = events.filter((e) => e.event.visitor === visitor).map((e) => e.event.id);
  const uniqueSent = [...new Set(sentIds)];
  expect(sentIds.length).toBeGreaterThan(uniqueSent.length); // some ids really were sent more than once
  expect(stored.sort()).toEqual(uniqueSent.sort()); // each stored exactly once, none lost
});
