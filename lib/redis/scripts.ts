import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';

/**
 * Lua scripts, one file each under lua/ with a header listing KEYS, ARGV and the reply. The key count is
 * part of the file name (`ingest-4.lua`; `-n` when it varies per call and the caller passes it first). Scripts are registered with ioredis' defineCommand, which sends
 * EVALSHA and falls back to EVAL (also inside pipelines) when the server's script cache is empty.
 */

export type RedisClient = Redis | Cluster;

type ScriptArg = string | number | Buffer;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rfIngest(...args: ScriptArg[]): Result<unknown, Context>;
    rfLeaseAcquire(...args: ScriptArg[]): Result<unknown, Context>;
    rfLeaseRenew(...args: ScriptArg[]): Result<unknown, Context>;
    rfLeaseRelease(...args: ScriptArg[]): Result<unknown, Context>;
    rfHeartbeat(...args: ScriptArg[]): Result<unknown, Context>;
    rfCommit(...args: ScriptArg[]): Result<unknown, Context>;
  }
}

interface ScriptSpec {
  command: 'rfIngest' | 'rfLeaseAcquire' | 'rfLeaseRenew' | 'rfLeaseRelease' | 'rfHeartbeat' | 'rfCommit';
  file: string;
}

const SCRIPTS: readonly ScriptSpec[] = [
  { command: 'rfIngest', file: 'ingest-4.lua' },
  { command: 'rfLeaseAcquire', file: 'lease-acquire-2.lua' },
  { command: 'rfLeaseRenew', file: 'lease-renew-1.lua' },
  { command: 'rfLeaseRelease', file: 'lease-release-1.lua' },
  { command: 'rfHeartbeat', file: 'heartbeat-1.lua' },
  { command: 'rfCommit', file: 'commit-n.lua' },
];

/** The key count from the file name; `-n` = variable, passed by the caller as the first argument. */
function keyCount(file: string): number | undefined {
  const match = /-(\d+|n)\.lua$/.exec(file);
  if (!match?.[1]) throw new Error(`script file ${file} does not name its key count`);
  return match[1] === 'n' ? undefined : Number(match[1]);
}

const sources = new Map(
  SCRIPTS.map((spec) => [spec.command, readFileSync(new URL(`./lua/${spec.file}`, import.meta.url), 'utf8')]),
);

const registered = new WeakSet<RedisClient>();

/** Adds Riffle's script commands to a client (idempotent). */
export function registerScripts(client: RedisClient): void {
  if (registered.has(client)) return;
  for (const spec of SCRIPTS) {
    const lua = sources.get(spec.command);
    if (lua === undefined) throw new Error(`script ${spec.file} not loaded`);
    const numberOfKeys = keyCount(spec.file);
    client.defineCommand(spec.command, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  }
  registered.add(client);
}

/** Error a script raised on purpose (`redis.error_reply`), mapped to a typed error by its caller. */
export function scriptErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /^([A-Z_]+)\b/.exec(error.message);
  return match?.[1];
}
