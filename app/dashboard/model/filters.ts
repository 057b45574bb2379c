/**
 * Dashboard filters and period, as they live in the URL query (shareable, back/forward works):
 * `?period=1h&filter=path:/pricing&filter=country:GB`. The filter syntax is the ad-hoc query API's
 * (`filter=<field>:<value>`, equality), so the URL maps onto it one to one.
 */

import { FILTER_FIELDS, type FilterField } from '../../../lib/aggregation/filter-fields';

export { FILTER_FIELDS, type FilterField };

export const FILTER_LABELS: Record<FilterField, string> = {
  path: 'Page',
  source: 'Source',
  referrerDomain: 'Referrer',
  device: 'Device',
  browser: 'Browser',
  os: 'OS',
  country: 'Country',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'Campaign',
  type: 'Event',
};

export interface Filter {
  field: FilterField;
  value: string;
}

export const PERIODS = ['realtime', '30m', '1h', 'today'] as const;
export type Period = (typeof PERIODS)[number];

export const PERIOD_LABELS: Record<Period, string> = {
  realtime: 'Realtime',
  '30m': 'Last 30 min',
  '1h': 'Last hour',
  today: 'Today',
};

export interface DashboardQuery {
  period: Period;
  filters: Filter[];
}

/** The ad-hoc query API takes at most 8 filters. */
const MAX_FILTERS = 8;
const MAX_VALUE_LENGTH = 2048;

export function isFilterField(field: string): field is FilterField {
  return (FILTER_FIELDS as readonly string[]).includes(field);
}

function isPeriod(value: string | null): value is Period {
  return value !== null && (PERIODS as readonly string[]).includes(value);
}

/** Parses `filter=<field>:<value>` (first ":" splits; unknown fields, empty values and repeats dropped). */
export function parseFilter(raw: string): Filter | undefined {
  const colon = raw.indexOf(':');
  if (colon <= 0) return undefined;
  const field = raw.slice(0, colon);
  const value = raw.slice(colon + 1);
  if (!isFilterField(field) || value === '' || value.length > MAX_VALUE_LENGTH) return undefined;
  return { field, value };
}

export function parseDashboardQuery(params: URLSearchParams): DashboardQuery {
  const filters: Filter[] = [];
  for (const raw of params.getAll('filter')) {
    const filter = parseFilter(raw);
    // One filter per field: two equalities on one field could only ever match nothing.
    if (filter && !filters.some((f) => f.field === filter.field) && filters.length < MAX_FILTERS) {
      filters.push(filter);
    }
  }
  const period = params.get('period');
  return { period: isPeriod(period) ? period : 'realtime', filters };
}

/** The query string (without "?") for a state; other parameters in `base` are kept. */
export function serializeDashboardQuery(query: DashboardQuery, base?: URLSearchParams): string {
  const params = new URLSearchParams(base);
  params.delete('filter');
  params.delete('period');
  if (query.period !== 'realtime') params.set('period', query.period);
  for (const filter of query.filters) params.append('filter', `${filter.field}:${filter.value}`);
  return params.toString();
}

/** Adds a filter, replacing any filter on the same field. */
export function withFilter(filters: readonly Filter[], filter: Filter): Filter[] {
  return [...filters.filter((f) => f.field !== filter.field), filter];
}

export function withoutFilter(filters: readonly Filter[], field: FilterField): Filter[] {
  return filters.filter((f) => f.field !== field);
}

/** The ad-hoc query URL for windows over [fromMs, toMs) restricted to the filters. */
export function queryUrl(
  site: string,
  windowIds: readonly string[],
  filters: readonly Filter[],
  fromMs: number,
  toMs: number,
): string {
  const params = new URLSearchParams();
  params.set('windows', windowIds.join(','));
  for (const filter of filters) params.append('filter', `${filter.field}:${filter.value}`);
  params.set('from', String(Math.floor(fromMs)));
  params.set('to', String(Math.ceil(toMs)));
  return `/api/query/${encodeURIComponent(site)}?${params.toString()}`;
}

const MINUTE_MS = 60_000;

/** The time range a period covers at `nowMs` (realtime: the last 30 minutes). `today` is the local day. */
export function periodRange(period: Period, nowMs: number): { fromMs: number; toMs: number } {
  switch (period) {
    case 'realtime':
    case '30m':
      return { fromMs: nowMs - 30 * MINUTE_MS, toMs: nowMs };
    case '1h':
      return { fromMs: nowMs - 60 * MINUTE_MS, toMs: nowMs };
    case 'today': {
      const midnight = new Date(nowMs);
      midnight.setHours(0, 0, 0, 0);
      return { fromMs: midnight.getTime(), toMs: nowMs };
    }
  }
}
