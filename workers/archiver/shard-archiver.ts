import { BatchBuilder, type BatchLimits, type ClosedBatch, type LogEntry } from '../../lib/archive/batcher';
import { commitArchive } from '../../lib/archive/commit';
import { type Delivery, type DeliveryStep, deliverBatch } from '../../lib/archive/deliver';
import { bufferField } from '../../lib/archive/event-array';
import { type ArchiveTransform, buildSiteOutputs } from '../../lib/archive/records';
import { findArchiveGap, measureArchiveLag, reportArchiveProgress } from '../../lib/archive/status';
import type { OwnedLease } from '../../lib/leases/lease-manager';
import type { Logger } from '../../lib/logger';
import type { ShardKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { streamIdMs } from '../../lib/streams/entry';
import { writeTick } from '../../lib/streams/reader';
import { runShardLoop, sleep } from '../shared/shard-loop';

export type ArchiverStep = 'read' | DeliveryStep | 'committed';

/** Where a shard loop reports what it did (Prometheus metrics, /status). */
export interface ArchiveObserver {
  delivered(shard: number, delivery: Delivery): void;
  writeFailed(shard: number, error: unknown): void;
  progress(shard: number, lagMs: number, recordsPerSecond: number): void;
}

export interface ShardArchiverDeps {
  shard: number;
  keys: ShardKeys;
  lease: OwnedLease;
  workerId: string;
  /** Shared client for commits, ticks and status (never blocks). */
  redis: RedisClient;
  /** A connection of this shard's own, for the blocking XREAD. */
  reader: RedisClient;
  alarmsKey: string;
  leaseIsValid: () => boolean;
  onFenced: () => void;
  logger: Logger;
  observer: ArchiveObserver;
  transform: ArchiveTransform | undefined;
  options: { root: string; limits: BatchLimits; gzipLevel: number; readCount: number; blockMs: number };
  /** Test hook between the steps of a batch, to inject crashes. */
  onStep?: (step: ArchiverStep) => void;
}

type Outcome = 'OK' | 'FENCED' | 'STALE' | 'LEASE_LOST' | 'CLOSING';

const MAX_BACKOFF_MS = 5_000;
const REPORT_INTERVAL_MS = 1_000;
const GAP_CHECK_INTERVAL_MS = 5_000;
const TAIL_TICK_INTERVAL_MS = 200;
const SKIP_TICKS_INTERVAL_MS = 1_000;
const RATE_WINDOW_MS = 10_000;

/**
 * The read–batch–write–checkpoint loop of one owned shard. In memory it holds only the open batch; after
 * any error or doubt it starts again from the checkpoint in Redis, and since batch boundaries come from the
 * log (lib/archive/batcher.ts) the same batches — the same files — come out again.
 */
export class ShardArchiver {
  private closing = false;
  private loop: Promise<void> | undefined;
  private checkpointId = '';
  private readAfter = '0-0';
  private builder: BatchBuilder;
  private lastTickAtMs = 0;
  private lastSkipAtMs = 0;
  private lastReportAtMs = 0;
  private lastGapCheckAtMs = 0;
  private lastError: string | null = null;
  private attempt = 0;
  private readonly recent: Array<{ atMs: number; records: number }> = [];

  constructor(private readonly deps: ShardArchiverDeps) {
    this.builder = new BatchBuilder(deps.options.limits);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Finishes the batch being written (if any) and stops; an open, unwritten batch is simply re-read later. */
  async stop(): Promise<void> {
    this.closing = true;
    await this.loop;
  }

  private run(): Promise<void> {
    return runShardLoop({
      shard: this.deps.shard,
      logger: this.deps.logger,
      reader: this.deps.reader,
      isClosing: () => this.closing,
      load: () => this.load(),
      step: () => this.step(),
      onFenced: () => this.deps.onFenced(),
      messages: {
        fenced: 'checkpoint fenced: another archiver owns this shard now; stopping it',
        stale: 'checkpoint moved under us; restarting from it',
        error: 'archiver shard loop error; restarting from the checkpoint',
      },
    });
  }

  private async load(): Promise<void> {
    this.checkpointId = (await this.deps.redis.hget(this.deps.keys.checkpoint('archiver'), 'id')) ?? '';
    this.readAfter = this.checkpointId === '' ? '0-0' : this.checkpointId;
    this.builder = new BatchBuilder(this.deps.options.limits);
  }

  private async step(): Promise<Outcome> {
    if (!this.deps.leaseIsValid()) return 'LEASE_LOST';
    await this.housekeeping();
    const entries = await this.read();
    this.deps.onStep?.('read');
    for (const entry of entries) {
      this.readAfter = entry.id;
      for (const batch of this.builder.push(entry)) {
        const outcome = await this.deliver(batch);
        if (outcome !== 'OK') return outcome;
      }
    }
    return entries.length === 0 ? this.idle() : 'OK';
  }

  private async read(): Promise<LogEntry[]> {
    const { reader, keys, options } = this.deps;
    // Buffers, not strings: the stored event bytes go to the files as they are (no UTF-8 round trip).
    const reply = (await reader.xreadBuffer(
      'COUNT',
      options.readCount,
      'BLOCK',
      options.blockMs,
      'STREAMS',
      keys.stream,
      this.readAfter,
    )) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
    return (reply?.[0]?.[1] ?? []).map(([rawId, fields]): LogEntry => {
      const id = rawId.toString('latin1');
      const kindField = bufferField(fields, 'k');
      const kind = kindField?.length === 1 ? kindField[0] : undefined;
      const data = kind === KIND_EVENTS ? bufferField(fields, 'd') : undefined;
      if (data === undefined)
        return {
          id,
          ms: streamIdMs(id),
          kind: kind === KIND_TICK ? 'tick' : 'unknown',
          data: EMPTY,
          bytes: 0,
        };
      return { id, ms: streamIdMs(id), kind: 'events', data, bytes: data.length };
    });
  }

  /**
   * Nothing new: an open batch past its deadline needs a closing entry in the log, so write a tick (its id
   * is Redis-clocked; if it still falls before the deadline, another follows). With no open batch, move
   * the checkpoint past the ticks read since, so an idle shard does not hold retention back.
   */
  private async idle(): Promise<Outcome> {
    const { redis, keys } = this.deps;
    const nowMs = performance.now();
    const pending = this.builder.pending();
    if (pending) {
      if (Date.now() >= pending.deadlineMs && nowMs - this.lastTickAtMs >= TAIL_TICK_INTERVAL_MS) {
        this.lastTickAtMs = nowMs;
        await writeTick(redis, keys.stream);
      }
      return 'OK';
    }
    const through = this.builder.idleThrough();
    if (
      through === undefined ||
      through === this.checkpointId ||
      nowMs - this.lastSkipAtMs < SKIP_TICKS_INTERVAL_MS
    ) {
      return 'OK';
    }
    this.lastSkipAtMs = nowMs;
    return this.commit(through, undefined);
  }

  private async deliver(batch: ClosedBatch): Promise<Outcome> {
    const { logger, shard, options, observer } = this.deps;
    const outputs = await buildSiteOutputs(batch.entries, this.deps.transform);
    let backoffMs = 200;
    for (;;) {
      if (this.closing) return 'CLOSING';
      if (!this.deps.leaseIsValid()) return 'LEASE_LOST';
      try {
        const delivery = await deliverBatch(batch, outputs, {
          root: options.root,
          shard,
          gzipLevel: options.gzipLevel,
          transformed: this.deps.transform !== undefined,
          attemptTag: `${this.deps.workerId}-${++this.attempt}`,
          ...(this.deps.onStep ? { onStep: this.deps.onStep } : {}),
        });
        return this.commit(batch.lastId, delivery);
      } catch (error) {
        // A destination failure (EACCES, ENOSPC, EROFS, ENOTDIR…): keep the batch, keep the checkpoint, retry.
        this.lastError = error instanceof Error ? error.message : String(error);
        observer.writeFailed(shard, error);
        logger.warn(
          { err: error, shard, firstId: batch.firstId, retryInMs: backoffMs },
          'archive write failed; the checkpoint stays, retrying the same batch',
        );
        await this.report(true).catch(() => undefined);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async commit(nextId: string, delivery: Delivery | undefined): Promise<Outcome> {
    const { redis, keys, lease, shard, logger } = this.deps;
    if (!this.deps.leaseIsValid()) return 'LEASE_LOST';
    const outcome = await commitArchive(redis, keys, {
      leaseValue: lease.value,
      previousId: this.checkpointId,
      nextId,
      records: delivery?.records ?? 0,
      files: delivery?.paths.length ?? 0,
      bytes: delivery?.bytes ?? 0,
      uncompressedBytes: delivery?.uncompressedBytes ?? 0,
      failedRecords: delivery?.failedRecords ?? 0,
      droppedRecords: delivery?.droppedRecords ?? 0,
      lastFile: delivery?.paths[delivery.paths.length - 1] ?? '',
    });
    // A re-sent commit (ioredis resends after a reconnect) finds its own effect: that is success.
    const applied =
      outcome === 'OK' ||
      (outcome === 'STALE' && (await redis.hget(keys.checkpoint('archiver'), 'id')) === nextId);
    if (!applied) return outcome;
    this.checkpointId = nextId;
    if (!delivery) return 'OK';
    this.deps.onStep?.('committed');
    this.lastError = null;
    this.recent.push({ atMs: performance.now(), records: delivery.records });
    this.deps.observer.delivered(shard, delivery);
    logger.info(
      {
        shard,
        checkpointId: nextId,
        records: delivery.records,
        files: delivery.paths,
        bytes: delivery.bytes,
      },
      'batch archived',
    );
    return 'OK';
  }

  /** Status report (lag, rate, last error) every second, and the gap check every few seconds. */
  private async housekeeping(): Promise<void> {
    const nowMs = performance.now();
    if (nowMs - this.lastReportAtMs >= REPORT_INTERVAL_MS) await this.report(false);
    if (nowMs - this.lastGapCheckAtMs >= GAP_CHECK_INTERVAL_MS) {
      this.lastGapCheckAtMs = nowMs;
      await this.checkForGap();
    }
  }

  private async report(force: boolean): Promise<void> {
    const { redis, keys, shard, observer, workerId } = this.deps;
    const nowMs = performance.now();
    if (!force && nowMs - this.lastReportAtMs < REPORT_INTERVAL_MS) return;
    this.lastReportAtMs = nowMs;
    while (this.recent.length > 0 && (this.recent[0]?.atMs ?? nowMs) < nowMs - RATE_WINDOW_MS)
      this.recent.shift();
    const recordsPerSecond = this.recent.reduce((sum, r) => sum + r.records, 0) / (RATE_WINDOW_MS / 1000);
    const lagMs = await measureArchiveLag(redis, keys, this.checkpointId);
    observer.progress(shard, lagMs, recordsPerSecond);
    await reportArchiveProgress(redis, keys, {
      lagMs,
      recordsPerSecond,
      owner: workerId,
      lastError: this.lastError,
    });
  }

  private async checkForGap(): Promise<void> {
    const { redis, keys, shard, logger } = this.deps;
    const alarm = await findArchiveGap(redis, keys, this.checkpointId);
    if (!alarm) return;
    logger.error({ shard, ...alarm }, 'entries were trimmed before the archiver wrote them');
    await redis.hset(this.deps.alarmsKey, `gap:archiver:${shard}`, JSON.stringify(alarm));
  }
}

const EMPTY = Buffer.alloc(0);
/** `k=e` / `k=t` (lib/streams/entry.ts), compared as bytes. */
const KIND_EVENTS = 0x65;
const KIND_TICK = 0x74;
