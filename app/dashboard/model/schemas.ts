import { z } from 'zod';

/**
 * zod schemas for everything the dashboard receives (socket.io messages and JSON APIs). They mirror
 * lib/realtime/contract.ts and docs/api.md but stay lenient where the server may grow (unknown keys are
 * dropped, new aggregate functions and window fields pass), and strict where the UI relies on a shape.
 */

export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalarSchema>;

export const topKSchema = z.object({
  top: z.array(z.object({ value: scalarSchema, count: z.number() })),
  other: z.number(),
});
export type TopK = z.infer<typeof topKSchema>;

export const finalValueSchema = z.union([z.number(), z.null(), topKSchema]);
export type FinalValue = z.infer<typeof finalValueSchema>;

export const windowRowSchema = z.object({
  start: z.number(),
  end: z.number(),
  key: z.record(z.string(), scalarSchema).nullable(),
  values: z.record(z.string(), finalValueSchema),
  final: z.boolean(),
  late: z.number().nonnegative().optional(),
});
export type WindowRow = z.infer<typeof windowRowSchema>;

const groupFieldSchema = z.union([
  z.string(),
  z.object({ field: z.string(), floorMs: z.number(), as: z.string() }),
]);

export const aggregateSpecSchema = z.object({
  name: z.string(),
  fn: z.string(),
  field: z.string().optional(),
  k: z.number().optional(),
});
export type AggregateSpec = z.infer<typeof aggregateSpecSchema>;

export const windowDefSchema = z.object({
  id: z.string().regex(SITE_ID_PATTERN),
  name: z.string(),
  type: z.enum(['tumbling', 'sliding', 'stagger', 'session']),
  sizeMs: z.number().optional(),
  everyMs: z.number().optional(),
  rangeMs: z.number().optional(),
  gapMs: z.number().optional(),
  offsetMs: z.number().optional(),
  graceMs: z.number().optional(),
  groupBy: z.array(groupFieldSchema).default([]),
  aggregates: z.array(aggregateSpecSchema).min(1),
  status: z.enum(['running', 'paused']).optional(),
  builtin: z.boolean().optional(),
});
export type WindowDef = z.infer<typeof windowDefSchema>;

export const windowSnapshotSchema = z.object({
  site: z.string(),
  windowId: z.string(),
  window: windowDefSchema,
  watermark: z.number().nullable(),
  rows: z.array(windowRowSchema),
  positions: z.array(z.number()),
  sentAtMs: z.number(),
});
export type WindowSnapshotMessage = z.infer<typeof windowSnapshotSchema>;

export const windowDeltaSchema = z.object({
  site: z.string(),
  windowId: z.string(),
  watermark: z.number().nullable(),
  rows: z.array(windowRowSchema),
  positions: z.array(z.number()),
  sentAtMs: z.number(),
});
export type WindowDeltaMessage = z.infer<typeof windowDeltaSchema>;

export const feedEventSchema = z.object({
  id: z.string(),
  receivedAtMs: z.number(),
  type: z.string(),
  path: z.string(),
  title: z.string().optional(),
  source: z.string(),
  device: z.string(),
  browser: z.string(),
  os: z.string(),
  country: z.string().optional(),
  visitor: z.string(),
  props: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type FeedEvent = z.infer<typeof feedEventSchema>;

export const feedMessageSchema = z.object({
  site: z.string(),
  events: z.array(feedEventSchema).max(1000),
});

export const subscribeReplySchema = z.union([
  z.object({ ok: z.literal(true), windows: z.array(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string(), field: z.string().optional() }),
]);

/** `GET /api/stats/:site`: the windows that apply to the site. */
export const windowListSchema = z.object({ site: z.string(), windows: z.array(windowDefSchema) });

/** `GET /api/stats/:site/:windowId`. */
export const windowStatsSchema = z.object({
  window: windowDefSchema,
  watermark: z.number().nullable(),
  results: z.array(windowRowSchema),
});

/** `GET /api/query/:site`: windows re-run over the retained raw events, restricted to the filters. */
export const queryResponseSchema = z.object({
  site: z.string(),
  from: z.number(),
  to: z.number(),
  filters: z.array(z.object({ field: z.string(), value: scalarSchema })),
  scannedEvents: z.number(),
  truncated: z.boolean(),
  windows: z.record(z.string(), z.object({ window: windowDefSchema, results: z.array(windowRowSchema) })),
});
export type QueryResponse = z.infer<typeof queryResponseSchema>;

export const sitesResponseSchema = z.object({
  sites: z.array(z.object({ id: z.string(), name: z.string(), domain: z.string().optional() })),
});
export type SiteSummary = z.infer<typeof sitesResponseSchema>['sites'][number];

export const apiErrorSchema = z.object({ error: z.string(), field: z.string().optional() });

/** `GET /api/streams/recent?site=`: the newest stored events, to fill the live feed on (re)connect. */
export const recentEventsSchema = z.object({
  events: z.array(
    z.object({
      streamId: z.string().regex(/^\d+-\d+$/),
      event: feedEventSchema.omit({ receivedAtMs: true }).extend({ site: z.string() }),
    }),
  ),
});
