import { z } from 'zod';

/**
 * The pipeline-health message: one shape for `GET /api/admin/health` and the socket's `health` event
 * (lib/aggregation/pipeline-health.ts `readAdminHealth` builds it). Here, not in app/, because the contract
 * names it and the admin page, scripts and tests all parse it. The schema is deliberately lenient about what
 * the page does not show, so a richer server answer never breaks an older page.
 */

/** The archiver's deliveries on a shard (only the figures the page shows; a change of shape is ignored). */
const archiveStatusSchema = z.object({
  files: z.number(),
  records: z.number(),
  failedRecords: z.number(),
  lastDeliveryAtMs: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type ArchiveStatus = z.infer<typeof archiveStatusSchema>;

const consumerSchema = z.object({
  consumer: z.string(),
  checkpointId: z.string().nullable(),
  lagMs: z.number().nullable(),
  owner: z.string().nullable(),
  epoch: z.number().nullable(),
  lastCommitAtMs: z.number().nullable(),
  archive: archiveStatusSchema.nullable().optional().catch(undefined),
});
export type ConsumerHealth = z.infer<typeof consumerSchema>;

export const healthSchema = z.object({
  shards: z.array(
    z.object({
      shard: z.number(),
      length: z.number(),
      firstId: z.string().nullable(),
      lastId: z.string().nullable(),
      consumers: z.array(consumerSchema),
    }),
  ),
  alarms: z.array(z.object({ id: z.string(), detail: z.unknown() })),
  counters: z.record(z.string(), z.number().nullable()),
});
export type Health = z.infer<typeof healthSchema>;

/** The ack of `health:subscribe`: only an admin session may watch the pipeline. */
export const healthSubscribeReplySchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type HealthSubscribeReply = z.infer<typeof healthSubscribeReplySchema>;

/** Health messages a node sends each subscriber: one a second while anybody watches. */
export const HEALTH_INTERVAL_MS = 1_000;
