import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { TEMP_SUFFIX, tempFileName, tempFilePrefix } from './layout';

/**
 * Crash-safe file writes: temp file → fsync → rename → fsync of the directory. A reader (or a crash) sees
 * either no file or the whole file; a partial temp file from a crash is replaced by the retry's own and
 * removed once that retry has renamed its file.
 */

export type WriteStep = 'gzip' | 'written';

/** Output buffer of gzip: large, so one input chunk compresses in one thread-pool job (see NdjsonBuffer). */
export const GZIP_OUTPUT_CHUNK_BYTES = 1024 * 1024;

export interface WriteHooks {
  /** Per-attempt tag of temp files (unique per writer and attempt). */
  attemptTag: string;
  /** Test hook between steps: `gzip` once compressed bytes are in the temp file, `written` after its fsync. */
  onStep?: (step: WriteStep) => void;
}

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/** Creates `dir` and makes every directory it had to create durable in its parent. */
export async function ensureDirDurable(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true });
  if (firstCreated === undefined) return;
  // fsync each parent of a new directory, from the oldest existing one down (new entries must survive).
  const created: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    created.push(current);
    if (current === firstCreated || dirname(current) === current) break;
  }
  for (const child of created.reverse()) await fsyncDir(dirname(child));
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Streams `chunks` through gzip into `dir/name` durably; returns the stored size and its SHA-256. */
export async function writeGzipDurably(
  dir: string,
  name: string,
  chunks: Iterable<Buffer>,
  level: number,
  hooks: WriteHooks,
): Promise<WrittenFile> {
  const temp = join(dir, tempFileName(name, hooks.attemptTag));
  const handle = await open(temp, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  let first = true;
  try {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        handle.write(chunk).then(() => {
          if (first) {
            first = false;
            hooks.onStep?.('gzip');
          }
          callback();
        }, callback);
      },
    });
    await pipeline(Readable.from(chunks), createGzip({ level, chunkSize: GZIP_OUTPUT_CHUNK_BYTES }), sink);
    await handle.sync();
  } finally {
    await handle.close();
  }
  hooks.onStep?.('written');
  await rename(temp, join(dir, name));
  await fsyncDir(dir);
  return { bytes, sha256: hash.digest('hex') };
}

/** Writes a small file (a manifest) durably. */
export async function writeFileDurably(
  dir: string,
  name: string,
  content: Buffer,
  attemptTag: string,
): Promise<void> {
  const temp = join(dir, tempFileName(name, attemptTag));
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  await fsyncDir(dir);
}

/** Removes temp files other attempts of the same target left behind (a crash mid-write). */
export async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const prefix = tempFilePrefix(name);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((file) => file.startsWith(prefix) && file.endsWith(TEMP_SUFFIX))
      .map((file) => unlink(join(dir, file)).catch(() => undefined)),
  );
}
