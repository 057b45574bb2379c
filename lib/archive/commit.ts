import { readFileSync } from 'node:fs';
import type { Result } from 'ioredis';
import type { ShardKeys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';

/**
 * The archiver's checkpoint move (lua/archive-commit-3.lua): lease-fenced and conditional on the previous
 * checkpoint, like the aggregator's commit. Registered here, next to its only user, with the same
 * defineCommand mechanism as lib/redis/scripts.ts (EVALSHA with an EVAL fallback).
 */

type ScriptArg = string | number | Buffer;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rfArchiveCommit(...args: ScriptArg[]): Result<unknown, Context>;
  }
}

const LUA = readFileSync(new URL('./lua/archive-commit-3.lua', import.meta.url), 'utf8');
const registered = new WeakSet<RedisClient>();

function ensureRegistered(client: RedisClient): void {
  if (registered.has(client)) return;
  client.defineCommand('rfArchiveCommit', { numberOfKeys: 3, lua: LUA });
  registered.add(client);
}

export type CommitOutcome = 'OK' | 'FENCED' | 'STALE';

export interface ArchiveCommit {
  leaseValue: string;
  previousId: string;
  nextId: string;
  records: number;
  files: number;
  bytes: number;
  uncompressedBytes: number;
  failedRecords: number;
  droppedRecords: number;
  /** Relative path of the batch's last data file; '' for a checkpoint-only move past ticks. */
  lastFile: string;
}

export async function commitArchive(
  redis: RedisClient,
  keys: ShardKeys,
  commit: ArchiveCommit,
): Promise<CommitOutcome> {
  ensureRegistered(redis);
  const reply = await redis.rfArchiveCommit(
    keys.checkpoint('archiver'),
    keys.lease('archiver'),
    keys.archiveStatus,
    commit.leaseValue,
    commit.previousId,
    commit.nextId,
    commit.records,
    commit.files,
    commit.bytes,
    commit.uncompressedBytes,
    commit.failedRecords,
    commit.droppedRecords,
    commit.lastFile,
  );
  if (reply === 'OK' || reply === 'FENCED' || reply === 'STALE') return reply;
  throw new Error(`archive commit: unexpected reply ${String(reply)}`);
}
