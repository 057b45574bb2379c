import { z } from 'zod';

/** The admin API's answers, checked at the edge (the UI never trusts a shape it did not parse). */

export const apiErrorSchema = z.object({
  error: z.string(),
  field: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  token: z.string().optional(),
  expected: z.array(z.string()).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const sessionSchema = z.object({ authenticated: z.boolean(), loginEnabled: z.boolean() });
export type Session = z.infer<typeof sessionSchema>;

export const siteSchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().optional(),
  allowedOrigins: z.array(z.string()),
  respectDnt: z.boolean(),
  createdAtMs: z.number(),
});
export type AdminSite = z.infer<typeof siteSchema>;

export const sitesSchema = z.object({ sites: z.array(siteSchema) });
export const createdSiteSchema = z.object({ site: siteSchema, snippet: z.string() });
export const verifySchema = z.object({
  installed: z.boolean(),
  lastEventAtMs: z.number().nullable(),
  lastEventPath: z.string().nullable(),
});
export type VerifyAnswer = z.infer<typeof verifySchema>;
export const shareSchema = z.object({
  token: z.string(),
  expiresAtMs: z.number().nullable(),
  url: z.string(),
});
export type ShareAnswer = z.infer<typeof shareSchema>;

/** A definition as the API sends it: already valid (the server parsed it); the editor re-parses it anyway. */
const definitionSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  name: z.string(),
  site: z.string().nullable(),
  type: z.enum(['tumbling', 'sliding', 'stagger', 'session']),
});

export const windowRowSchema = z.object({
  definition: definitionSchema,
  status: z.enum(['running', 'paused']),
  builtin: z.boolean(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
  startFrom: z.enum(['now', 'trim_horizon']),
  sql: z.string().optional(),
  sqlText: z.string().optional(),
  late: z.number(),
  resultsLast10Min: z.number(),
  backfillProgress: z.number().nullable(),
});
export type WindowRow = z.infer<typeof windowRowSchema>;
export const windowsSchema = z.object({ windows: z.array(windowRowSchema) });

export const savedWindowSchema = z.object({
  id: z.string(),
  definition: definitionSchema,
  status: z.enum(['running', 'paused']),
  startFrom: z.enum(['now', 'trim_horizon']),
  sqlText: z.string().optional(),
});
export type SavedWindow = z.infer<typeof savedWindowSchema>;

const topKSchema = z.object({
  top: z.array(z.object({ value: z.string(), count: z.number() })),
  other: z.number(),
});
export const finalValueSchema = z.union([z.number(), z.null(), topKSchema]);
export type PreviewValue = z.infer<typeof finalValueSchema>;

export const previewResultSchema = z.object({
  start: z.number(),
  end: z.number(),
  key: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  values: z.record(z.string(), finalValueSchema),
});
export type PreviewResult = z.infer<typeof previewResultSchema>;

export const previewSchema = z.object({
  from: z.number(),
  to: z.number(),
  scannedEvents: z.number(),
  truncated: z.boolean(),
  results: z.array(previewResultSchema),
});
export type PreviewAnswer = z.infer<typeof previewSchema>;

/**
 * `GET /api/admin/health` and the socket's `health` event share one schema, kept in lib/ because the
 * realtime contract names it too.
 */
export {
  type ArchiveStatus,
  type ConsumerHealth,
  type Health,
  healthSchema,
  healthSubscribeReplySchema,
} from '../../../lib/realtime/health';
