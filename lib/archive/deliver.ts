import { join, relative } from 'node:path';
import type { ClosedBatch } from './batcher';
import {
  ensureDirDurable,
  removeStaleTemps,
  type WriteStep,
  writeFileDurably,
  writeGzipDurably,
} from './durable-write';
import { type ArchiveKind, dataFileName, manifestFileName, partitionDir } from './layout';
import { encodeManifest, type Manifest } from './manifest';
import type { NdjsonBuffer } from './ndjson-buffer';
import type { SiteOutput } from './records';

/**
 * Writes one closed batch: per site an events file (and an errors file when a transformation failed),
 * each followed by its manifest, every one durably (lib/archive/durable-write.ts). Names depend only on
 * the batch, so a retry — after a crash or a write error — replaces the same files, never adds others.
 */

export type DeliveryStep = WriteStep | 'manifest' | 'renamed';

export interface DeliveryOptions {
  root: string;
  shard: number;
  gzipLevel: number;
  transformed: boolean;
  attemptTag: string;
  onStep?: (step: DeliveryStep) => void;
}

export interface Delivery {
  records: number;
  files: number;
  bytes: number;
  uncompressedBytes: number;
  failedRecords: number;
  droppedRecords: number;
  /** Data files written, relative to the archive root, in write order. */
  paths: string[];
}

export async function deliverBatch(
  batch: ClosedBatch,
  outputs: readonly SiteOutput[],
  options: DeliveryOptions,
): Promise<Delivery> {
  const delivery: Delivery = {
    records: 0,
    files: 0,
    bytes: 0,
    uncompressedBytes: 0,
    failedRecords: 0,
    droppedRecords: 0,
    paths: [],
  };
  for (const output of outputs) {
    const parts: Array<[ArchiveKind, NdjsonBuffer, string[]]> = [['events', output.records, output.dropped]];
    if (output.errors.count > 0) parts.push(['errors', output.errors, []]);
    for (const [kind, set, dropped] of parts) {
      // A site whose every record failed or was dropped still gets an (empty) events file when some were
      // dropped, so its manifest can name them; with nothing at all there is nothing to write.
      if (kind === 'events' && set.count === 0 && dropped.length === 0) continue;
      const dir = partitionDir(options.root, kind, output.site, output.nameMs, options.shard);
      const name = dataFileName(output.nameId);
      await ensureDirDurable(dir);
      const written = await writeGzipDurably(dir, name, set.chunks(), options.gzipLevel, {
        attemptTag: options.attemptTag,
        ...(options.onStep ? { onStep: options.onStep } : {}),
      });
      options.onStep?.('manifest');
      const manifest: Manifest = {
        version: 1,
        kind,
        site: output.site,
        shard: options.shard,
        file: name,
        count: set.count,
        firstId: set.firstId,
        lastId: set.lastId,
        bytes: written.bytes,
        sha256: written.sha256,
        uncompressedBytes: set.bytes,
        gzipLevel: options.gzipLevel,
        batch: { firstId: batch.firstId, lastId: batch.lastId, reason: batch.reason },
        transformed: options.transformed,
        dropped,
      };
      const manifestName = manifestFileName(output.nameId);
      await writeFileDurably(dir, manifestName, encodeManifest(manifest), options.attemptTag);
      await removeStaleTemps(dir, name);
      await removeStaleTemps(dir, manifestName);
      delivery.files++;
      delivery.bytes += written.bytes;
      delivery.uncompressedBytes += set.bytes;
      if (kind === 'events') delivery.records += set.count;
      else delivery.failedRecords += set.count;
      delivery.droppedRecords += dropped.length;
      delivery.paths.push(relative(options.root, join(dir, name)));
    }
  }
  options.onStep?.('renamed');
  return delivery;
}
