import { join } from 'node:path';

/**
 * Where archive files go. Partitions are Hive-style (`key=value`), so Athena, Spark, DuckDB or
 * ClickHouse read them as columns; time partitions are UTC, from the ingest time of the file's first record.
 *
 *   <root>/events/site=<site>/dt=YYYY-MM-DD/hour=HH/shard=<k>/<firstId>.ndjson.gz       (+ .manifest.json)
 *   <root>/errors/processing-failed/site=<site>/dt=…/hour=…/shard=<k>/<firstId>.ndjson.gz (+ .manifest.json)
 */

export type ArchiveKind = 'events' | 'errors';

export const DATA_SUFFIX = '.ndjson.gz';
export const MANIFEST_SUFFIX = '.manifest.json';
export const TEMP_SUFFIX = '.tmp';

const KIND_DIRS: Record<ArchiveKind, string[]> = {
  events: ['events'],
  errors: ['errors', 'processing-failed'],
};

export function partitionDir(
  root: string,
  kind: ArchiveKind,
  site: string,
  ingestMs: number,
  shard: number,
): string {
  const iso = new Date(ingestMs).toISOString();
  // Site ids are [a-z0-9_-] (lib/events/schema.ts); encoding keeps a hand-made id from escaping the tree.
  return join(
    root,
    ...KIND_DIRS[kind],
    `site=${encodeURIComponent(site)}`,
    `dt=${iso.slice(0, 10)}`,
    `hour=${iso.slice(11, 13)}`,
    `shard=${shard}`,
  );
}

export function dataFileName(firstId: string): string {
  return `${firstId}${DATA_SUFFIX}`;
}

export function manifestFileName(firstId: string): string {
  return `${firstId}${MANIFEST_SUFFIX}`;
}

/**
 * A temp file of one attempt: hidden, next to its target (so the rename stays on one filesystem), named
 * after the target plus a per-attempt tag so two writers of the same batch (a zombie and the new owner)
 * never share one. Attempts of the same batch share the prefix, which is how leftovers are cleaned up.
 */
export function tempFileName(target: string, attemptTag: string): string {
  return `.${target}.${attemptTag}${TEMP_SUFFIX}`;
}

export function tempFilePrefix(target: string): string {
  return `.${target}.`;
}

/** The partition values a data or manifest path encodes, relative to the archive root; undefined if foreign. */
export function parsePartitionPath(relative: string):
  | {
      kind: ArchiveKind;
      site: string;
      dt: string;
      hour: string;
      shard: number;
      firstId: string;
    }
  | undefined {
  const match =
    /^(events|errors\/processing-failed)\/site=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/shard=(\d+)\/(\d+-\d+)\.(?:ndjson\.gz|manifest\.json)$/.exec(
      relative.split('\\').join('/'),
    );
  if (!match) return undefined;
  const [, kind = '', site = '', dt = '', hour = '', shard = '', firstId = ''] = match;
  return {
    kind: kind === 'events' ? 'events' : 'errors',
    site: decodeURIComponent(site),
    dt,
    hour,
    shard: Number(shard),
    firstId,
  };
}
