import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';

/**
 * Lua scripts, one file each under lua/ with a header listing KEYS, ARGV and the reply. The key count is
 * part of the file name (`ingest-4.lua`). Scripts are registered with ioredis' defineCommand, which sends
 * EVALSHA and falls back to EVAL (also inside pipelines) when the server's script cache is empty.
 */

export type RedisClient = Redis | Cluster;

type ScriptArg = string | number | Buffer;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rfIngest(...args: ScriptArg[]): Result<unknown, Context>;
  }
}

interface ScriptSpec {
  command: 'rfIngest';
  file: string;
}

const SCRIPTS: readonly ScriptSpec[] = [{ command: 'rfIngest', file: 'ingest-4.lua' }];

function keyCount(file: string): number {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match?.[1]) throw new Error(`script file ${file} does not name its key count`);
  return Number(match[1]);
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
    client.defineCommand(spec.command, { numberOfKeys: keyCount(spec.file), lua });
  }
  registered.add(client);
}

/** Error a script raised on purpose (`redis.error_reply`), mapped to a typed error by its caller. */
export function scriptErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /^([A-Z_]+)\b/.exec(error.message);
  return match?.[1];
}
