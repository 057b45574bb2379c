import { type APIRequestContext, expect, type Locator, type Page } from '@playwright/test';

/** Shared by the dashboard specs: posting events, reading the dashboard's numbers. */

export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface TestEvent {
  type: string;
  url: string;
  title?: string;
  referrer?: string;
  props?: Record<string, string | number | boolean>;
  screenWidth?: number;
}

let sequence = 0;

/** Posts events for `site` as one visitor (its IP through X-Forwarded-For, which loopback may set). */
export async function postEvents(
  request: APIRequestContext,
  baseUrl: string,
  events: readonly TestEvent[],
  options: { ip: string; site?: string; userAgent?: string },
): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const batch = events
      .slice(i, i + 100)
      .map((event) => ({ id: `e2e${Date.now().toString(36)}${(sequence++).toString(36)}x`, ...event }));
    const response = await request.post(`${baseUrl}/api/collect`, {
      headers: {
        'content-type': 'text/plain',
        'user-agent': options.userAgent ?? CHROME_UA,
        'x-forwarded-for': options.ip,
      },
      data: JSON.stringify({ site: options.site ?? 'demo', events: batch }),
    });
    expect(response.status(), await response.text()).toBe(202);
  }
}

export function randomIp(prefix = '81.2.69'): string {
  return `${prefix}.${1 + Math.floor(Math.random() * 250)}`;
}

/** A headline number ("1,234" → 1234); NaN while it shows a placeholder. */
export async function stat(page: Page, id: string): Promise<number> {
  const text = (await page.getByTestId(`stat-${id}-value`).textContent()) ?? '';
  return Number(text.replaceAll(',', '').trim());
}

export function breakdownRow(page: Page, panel: string, label: string): Locator {
  return page
    .getByTestId(`${panel}-list`)
    .locator(`[data-testid="breakdown-row"][data-label="${label.replaceAll('"', '\\"')}"]`);
}

/** The count a ranked list shows for a label (0 when the label is not listed). */
export async function breakdownCount(page: Page, panel: string, label: string): Promise<number> {
  const row = breakdownRow(page, panel, label);
  if ((await row.count()) === 0) return 0;
  return Number(await row.getAttribute('data-count'));
}

/** Opens a site's dashboard and waits until it is live and its numbers are in. */
export async function openDashboard(page: Page, baseUrl: string, site = 'demo', query = ''): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/${site}${query}`);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected', {
    timeout: 15_000,
  });
  await expect(page.getByTestId('stat-pageviews-value')).toHaveText(/^\d/, { timeout: 15_000 });
  await expect(page.getByTestId('stat-online-value')).toHaveText(/^\d/);
}
