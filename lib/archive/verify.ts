import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compareStreamIds, streamIdMs } from '../streams/entry';
import { DATA_SUFFIX, MANIFEST_SUFFIX, parsePartitionPath, TEMP_SUFFIX } from './layout';
import { type Manifest, manifestSchema } from './manifest';

/**
 * Offline checks of an archive tree, from its manifests and files alone: each file matches its manifest
 * (size, SHA-256, gzip, line count, NDJSON, ids), records are in strictly increasing (id, sub) order within
 * a file and across a site's files of a shard, batches of a shard never overlap, and no record appears
 * twice. What it read is kept per shard (a short content hash per record) for the stream comparison.
 */

export type ProblemKind = 'corrupt' | 'duplicate' | 'overlap' | 'missing';

export interface Problem {
  kind: ProblemKind;
  detail: string;
}

export interface ArchivedRecord {
  file: string;
  kind: 'events' | 'errors';
  /** Hash of the event as archived without its address; only for untransformed events files. */
  contentHash: string | null;
}

export interface ArchiveScan {
  files: number;
  records: number;
  failedRecords: number;
  bytes: number;
  tempFiles: number;
  /** Per shard: `<id>/<sub>` → where it was archived (events, errors) or dropped (manifest list). */
  byShard: Map<number, { records: Map<string, ArchivedRecord>; dropped: Set<string> }>;
  problems: Problem[];
}

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

interface Loaded {
  path: string;
  manifest: Manifest;
}

export function contentHash(eventJson: string | Buffer): string {
  return createHash('sha1').update(eventJson).digest('base64url').slice(0, 16);
}

export function inRange(id: string, range: TimeRange): boolean {
  const ms = streamIdMs(id);
  return ms >= range.fromMs && ms < range.toMs;
}

/** Compares `<id>/<sub>` addresses. */
function compareAddress(a: [string, number], b: [string, number]): number {
  return compareStreamIds(a[0], b[0]) || a[1] - b[1];
}

async function listFiles(root: string): Promise<string[]> {
  const names: string[] = [];
  for (const top of ['events', join('errors', 'processing-failed')]) {
    const found = await readdir(join(root, top), { recursive: true }).catch(() => [] as string[]);
    names.push(...found.map((name) => join(top, name)));
  }
  return names.sort();
}

export async function scanArchive(root: string, range: TimeRange): Promise<ArchiveScan> {
  const scan: ArchiveScan = {
    files: 0,
    records: 0,
    failedRecords: 0,
    bytes: 0,
    tempFiles: 0,
    byShard: new Map(),
    problems: [],
  };
  const corrupt = (detail: string) => scan.problems.push({ kind: 'corrupt', detail });
  const loaded: Loaded[] = [];
  const paths = await listFiles(root);
  const present = new Set(paths);
  for (const path of paths) {
    if (path.endsWith(TEMP_SUFFIX)) scan.tempFiles++;
    if (!path.endsWith(MANIFEST_SUFFIX)) {
      if (path.endsWith(DATA_SUFFIX) && !present.has(path.slice(0, -DATA_SUFFIX.length) + MANIFEST_SUFFIX)) {
        corrupt(`${path}: data file without a manifest`);
      }
      continue;
    }
    const partition = parsePartitionPath(path);
    let manifest: Manifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(await readFile(join(root, path), 'utf8')));
    } catch (error) {
      corrupt(
        `${path}: unreadable manifest (${error instanceof Error ? error.message.split('\n')[0] : error})`,
      );
      continue;
    }
    const batchEndMs = streamIdMs(manifest.batch.lastId);
    if (batchEndMs < range.fromMs || streamIdMs(manifest.batch.firstId) >= range.toMs) continue;
    if (
      !partition ||
      partition.kind !== manifest.kind ||
      partition.site !== manifest.site ||
      partition.shard !== manifest.shard ||
      `${partition.firstId}${DATA_SUFFIX}` !== manifest.file
    ) {
      corrupt(`${path}: manifest does not match its place in the tree`);
      continue;
    }
    const iso = new Date(streamIdMs(partition.firstId)).toISOString();
    if (partition.dt !== iso.slice(0, 10) || partition.hour !== iso.slice(11, 13)) {
      corrupt(`${path}: partition dt/hour does not match the first id's ingest time`);
    }
    loaded.push({ path, manifest });
    await checkFile(root, path, manifest, range, scan);
  }
  checkBatches(loaded, scan);
  return scan;
}

async function checkFile(
  root: string,
  manifestPath: string,
  manifest: Manifest,
  range: TimeRange,
  scan: ArchiveScan,
) {
  const corrupt = (detail: string) => scan.problems.push({ kind: 'corrupt', detail });
  const dataPath = manifestPath.slice(0, -MANIFEST_SUFFIX.length) + DATA_SUFFIX;
  let gz: Buffer;
  try {
    gz = await readFile(join(root, dataPath));
  } catch {
    corrupt(`${dataPath}: missing (its manifest exists)`);
    return;
  }
  scan.files++;
  scan.bytes += gz.length;
  if (gz.length !== manifest.bytes)
    corrupt(`${dataPath}: ${gz.length} bytes, manifest says ${manifest.bytes}`);
  if (createHash('sha256').update(gz).digest('hex') !== manifest.sha256)
    corrupt(`${dataPath}: sha256 mismatch`);
  let text: string;
  try {
    text = gunzipSync(gz).toString('utf8');
  } catch (error) {
    corrupt(`${dataPath}: not valid gzip (${error instanceof Error ? error.message : error})`);
    return;
  }
  if (Buffer.byteLength(text) !== manifest.uncompressedBytes)
    corrupt(`${dataPath}: uncompressed size differs from the manifest`);
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  if (text !== '' && !text.endsWith('\n')) corrupt(`${dataPath}: last line not terminated`);
  if (lines.length !== manifest.count)
    corrupt(`${dataPath}: ${lines.length} lines, manifest says ${manifest.count}`);
  let shardState = scan.byShard.get(manifest.shard);
  if (!shardState) {
    shardState = { records: new Map(), dropped: new Set() };
    scan.byShard.set(manifest.shard, shardState);
  }
  for (const address of manifest.dropped) {
    if (shardState.dropped.has(address) || shardState.records.has(address)) {
      scan.problems.push({
        kind: 'duplicate',
        detail: `shard ${manifest.shard} ${address}: dropped twice or also archived`,
      });
    }
    shardState.dropped.add(address);
  }
  let previous: [string, number] | undefined;
  for (const [index, line] of lines.entries()) {
    let record: { _id?: unknown; _sub?: unknown; site?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      corrupt(`${dataPath}:${index + 1}: not JSON`);
      continue;
    }
    const { _id: id, _sub: sub } = record;
    if (
      typeof id !== 'string' ||
      !/^\d+-\d+$/.test(id) ||
      typeof sub !== 'number' ||
      !Number.isInteger(sub)
    ) {
      corrupt(`${dataPath}:${index + 1}: no valid _id/_sub`);
      continue;
    }
    const current: [string, number] = [id, sub];
    if (previous && compareAddress(previous, current) >= 0)
      corrupt(`${dataPath}:${index + 1}: ids not strictly increasing`);
    previous = current;
    if (index === 0 && id !== manifest.firstId) corrupt(`${dataPath}: first id differs from the manifest`);
    if (index === lines.length - 1 && id !== manifest.lastId)
      corrupt(`${dataPath}: last id differs from the manifest`);
    if (compareStreamIds(id, manifest.batch.firstId) < 0 || compareStreamIds(id, manifest.batch.lastId) > 0) {
      corrupt(`${dataPath}:${index + 1}: record outside its batch's range`);
    }
    if (manifest.kind === 'events' && !manifest.transformed && record.site !== manifest.site) {
      corrupt(
        `${dataPath}:${index + 1}: record of site ${String(record.site)} in the ${manifest.site} partition`,
      );
    }
    if (!inRange(id, range)) continue;
    const address = `${id}/${sub}`;
    if (shardState.records.has(address) || shardState.dropped.has(address)) {
      const first = shardState.records.get(address)?.file ?? 'a dropped list';
      scan.problems.push({
        kind: 'duplicate',
        detail: `shard ${manifest.shard} ${address}: in ${first} and ${dataPath}`,
      });
      continue;
    }
    const suffix = `,"_id":"${id}","_sub":${sub}}`;
    const plain = manifest.kind === 'events' && !manifest.transformed && line.endsWith(suffix);
    shardState.records.set(address, {
      file: dataPath,
      kind: manifest.kind,
      contentHash: plain ? contentHash(`${line.slice(0, -suffix.length)}}`) : null,
    });
    if (manifest.kind === 'events') scan.records++;
    else scan.failedRecords++;
  }
}

/** Batches of one shard must not overlap; a site's files of one shard must be in increasing id order. */
function checkBatches(loaded: readonly Loaded[], scan: ArchiveScan): void {
  const byShard = new Map<number, Map<string, string>>();
  const bySiteFiles = new Map<string, Loaded[]>();
  for (const file of loaded) {
    const { shard, batch, site, kind } = file.manifest;
    const batches = byShard.get(shard) ?? new Map<string, string>();
    byShard.set(shard, batches);
    const known = batches.get(batch.firstId);
    if (known !== undefined && known !== batch.lastId) {
      scan.problems.push({
        kind: 'overlap',
        detail: `shard ${shard}: two batches start at ${batch.firstId} (end ${known} and ${batch.lastId})`,
      });
    }
    batches.set(batch.firstId, batch.lastId);
    const key = `${shard}|${kind}|${site}`;
    bySiteFiles.set(key, [...(bySiteFiles.get(key) ?? []), file]);
  }
  for (const [shard, batches] of byShard) {
    const sorted = [...batches].sort(([a], [b]) => compareStreamIds(a, b));
    for (let i = 1; i < sorted.length; i++) {
      const [prevFirst, prevLast] = sorted[i - 1] ?? ['', ''];
      const [first, last] = sorted[i] ?? ['', ''];
      if (compareStreamIds(first, prevLast) <= 0) {
        scan.problems.push({
          kind: 'overlap',
          detail: `shard ${shard}: batch ${first}…${last} overlaps batch ${prevFirst}…${prevLast}`,
        });
      }
    }
  }
  for (const files of bySiteFiles.values()) {
    const sorted = files
      .filter((f) => f.manifest.firstId !== null)
      .sort((a, b) => compareStreamIds(a.manifest.firstId ?? '', b.manifest.firstId ?? ''));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const next = sorted[i];
      if (prev && next && compareStreamIds(next.manifest.firstId ?? '', prev.manifest.lastId ?? '') <= 0) {
        scan.problems.push({ kind: 'overlap', detail: `${next.path} overlaps ${prev.path}` });
      }
    }
  }
}
