import { z } from 'zod';

/**
 * The manifest next to every archive file. Its content is a function of the batch alone (no write time, no
 * worker id), so a retry after a crash writes the same bytes. `batch` is the stream range the whole batch
 * covered (across every site's file): verification checks those ranges never overlap within a shard.
 */
const streamId = z.string().regex(/^\d+-\d+$/);

export const manifestSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['events', 'errors']),
  site: z.string(),
  shard: z.number().int().nonnegative(),
  file: z.string(),
  /** Records (lines) in the file. */
  count: z.number().int().nonnegative(),
  /** Stream ids of the first and last record (`_id`); null for a file that holds no record. */
  firstId: streamId.nullable(),
  lastId: streamId.nullable(),
  /** Size and SHA-256 (hex) of the gzip file as stored, and of its NDJSON content. */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  uncompressedBytes: z.number().int().nonnegative(),
  gzipLevel: z.number().int().min(1).max(9),
  batch: z.object({
    firstId: streamId,
    lastId: streamId,
    reason: z.enum(['size', 'interval', 'hour']),
  }),
  /** Records went through ARCHIVE_TRANSFORM (then they need not equal the stream's events). */
  transformed: z.boolean(),
  /** `<id>/<sub>` of this site's records the transformation dropped (returned null), so none looks lost. */
  dropped: z.array(z.string()),
});

export type Manifest = z.infer<typeof manifestSchema>;

export function encodeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}
