import { defineWindow, type WindowDefinition } from './definition';

/** The definitions the dashboard is built on (their ids are part of its contract). */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const PAGEVIEW = { field: 'type', op: '=', value: 'pageview' } as const;
/** The event types the snippet sends by itself; anything else is a site's own (custom) event. */
const STANDARD_TYPES = ['pageview', 'click', 'engagement', 'leave'];

const common = { version: 1, site: null, time: 'ingest' } as const;
/**
 * Retention of FINALs: what the dashboard looks back over, not the 48 h default. A window stepping every
 * second would otherwise keep 172,800 results per site and shard.
 */
const PER_SECOND_RETENTION = { resultsRetentionMs: HOUR_MS } as const;
const PER_5S_RETENTION = { resultsRetentionMs: 6 * HOUR_MS } as const;
/** The live breakdowns: the last 30 minutes every 5 s, kept an hour. */
const LIVE_30M = {
  type: 'sliding',
  sizeMs: 30 * MINUTE_MS,
  everyMs: 5_000,
  resultsRetentionMs: HOUR_MS,
} as const;

export const BUILTIN_WINDOWS: WindowDefinition[] = [
  defineWindow({
    ...common,
    id: 'visitors_live',
    name: 'Visitors in the last 5 minutes',
    type: 'sliding',
    sizeMs: 5 * MINUTE_MS,
    everyMs: 1_000,
    ...PER_SECOND_RETENTION,
    aggregates: [{ name: 'visitors', fn: 'count_distinct', field: 'visitor' }],
  }),
  defineWindow({
    ...common,
    id: 'events_rate',
    name: 'Events in the last minute',
    type: 'sliding',
    sizeMs: MINUTE_MS,
    everyMs: 1_000,
    ...PER_SECOND_RETENTION,
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
  defineWindow({
    ...common,
    id: 'pageviews_1m',
    name: 'Pageviews per minute',
    type: 'tumbling',
    sizeMs: MINUTE_MS,
    where: PAGEVIEW,
    aggregates: [{ name: 'pageviews', fn: 'count' }],
  }),
  defineWindow({
    ...common,
    id: 'top_pages',
    name: 'Top pages, last 30 minutes',
    type: 'sliding',
    sizeMs: 30 * MINUTE_MS,
    everyMs: 5_000,
    ...PER_5S_RETENTION,
    where: PAGEVIEW,
    aggregates: [{ name: 'pages', fn: 'top_k', field: 'path', k: 10 }],
  }),
  defineWindow({
    ...common,
    id: 'top_sources',
    name: 'Top sources, last 30 minutes',
    type: 'sliding',
    sizeMs: 30 * MINUTE_MS,
    everyMs: 5_000,
    ...PER_5S_RETENTION,
    aggregates: [{ name: 'sources', fn: 'top_k', field: 'source', k: 10 }],
  }),
  defineWindow({
    ...common,
    id: 'devices',
    name: 'Devices, last 30 minutes',
    type: 'sliding',
    sizeMs: 30 * MINUTE_MS,
    everyMs: 5_000,
    ...PER_5S_RETENTION,
    groupBy: ['device'],
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
  defineWindow({
    ...common,
    id: 'sessions',
    name: 'Sessions (30 minutes of inactivity end one)',
    type: 'session',
    gapMs: 30 * MINUTE_MS,
    groupBy: ['visitor'],
    aggregates: [
      { name: 'events', fn: 'count' },
      // A bounce is a session with one pageview.
      { name: 'pageviews', fn: 'count', where: PAGEVIEW },
      { name: 'first_ts', fn: 'min', field: 'ingest_time' },
      { name: 'last_ts', fn: 'max', field: 'ingest_time' },
      { name: 'pages', fn: 'count_distinct', field: 'path' },
    ],
  }),
  defineWindow({
    ...common,
    id: 'online_now',
    name: 'Visitors online now (left visitors drop out at once)',
    type: 'sliding',
    sizeMs: 5 * MINUTE_MS,
    everyMs: 1_000,
    ...PER_SECOND_RETENTION,
    aggregates: [{ name: 'visitors', fn: 'active_visitors' }],
  }),
  defineWindow({
    ...common,
    id: 'events_1s',
    name: 'Events per second',
    type: 'tumbling',
    sizeMs: 1_000,
    graceMs: 1_000,
    ...PER_SECOND_RETENTION,
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'browsers',
    name: 'Browsers, last 30 minutes',
    aggregates: [{ name: 'browsers', fn: 'top_k', field: 'browser', k: 10 }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'operating_systems',
    name: 'Operating systems, last 30 minutes',
    aggregates: [{ name: 'systems', fn: 'top_k', field: 'os', k: 10 }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'countries',
    name: 'Countries, last 30 minutes',
    aggregates: [{ name: 'countries', fn: 'top_k', field: 'country', k: 10 }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'campaigns',
    name: 'Campaigns, last 30 minutes',
    where: { field: 'utm_campaign', op: 'exists' },
    aggregates: [{ name: 'campaigns', fn: 'top_k', field: 'utm_campaign', k: 10 }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'custom_events',
    name: 'Custom events, last 30 minutes',
    where: { field: 'type', op: 'not_in', value: STANDARD_TYPES },
    aggregates: [{ name: 'events', fn: 'top_k', field: 'type', k: 20 }],
  }),
  defineWindow({
    ...common,
    ...LIVE_30M,
    id: 'referrers',
    name: 'Referring sites, last 30 minutes',
    // Own-site navigations carry the site's own domain too; they are not referrals.
    where: {
      and: [
        { field: 'referrerDomain', op: 'exists' },
        { field: 'sourceType', op: '!=', value: 'internal' },
      ],
    },
    aggregates: [{ name: 'referrers', fn: 'top_k', field: 'referrerDomain', k: 10 }],
  }),
];
