import { defineWindow, type WindowDefinition } from './definition';

/** The definitions the dashboard is built on (their ids are part of its contract). */

const MINUTE_MS = 60_000;
const PAGEVIEW = { field: 'type', op: '=', value: 'pageview' } as const;

const common = { version: 1, site: null, time: 'ingest' } as const;

export const BUILTIN_WINDOWS: WindowDefinition[] = [
  defineWindow({
    ...common,
    id: 'visitors_live',
    name: 'Visitors in the last 5 minutes',
    type: 'sliding',
    sizeMs: 5 * MINUTE_MS,
    everyMs: 1_000,
    aggregates: [{ name: 'visitors', fn: 'count_distinct', field: 'visitor' }],
  }),
  defineWindow({
    ...common,
    id: 'events_rate',
    name: 'Events in the last minute',
    type: 'sliding',
    sizeMs: MINUTE_MS,
    everyMs: 1_000,
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
    aggregates: [{ name: 'sources', fn: 'top_k', field: 'source', k: 10 }],
  }),
  defineWindow({
    ...common,
    id: 'devices',
    name: 'Devices, last 30 minutes',
    type: 'sliding',
    sizeMs: 30 * MINUTE_MS,
    everyMs: 5_000,
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
];
