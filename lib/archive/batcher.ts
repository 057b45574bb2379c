/**
 * Deterministic batch boundaries for the archiver. A batch is decided from the log alone — entry ids
 * (ingest times), entry kinds and the stored size of each entry — never from the wall clock or from how the
 * entries happened to arrive in reads. So a restart from the same checkpoint cuts the same batches and
 * rewrites the same file names: files never overlap.
 *
 * Rules, applied to the entries after the checkpoint in stream order:
 * 1. A batch starts at the first events entry (ticks before it belong to no batch).
 * 2. Its deadline is `min(firstIngestMs + maxIntervalMs, start of the next UTC hour)`. The first entry of
 *    any kind (events or tick) at or after the deadline closes the batch *before* itself.
 * 3. An events entry that brings the batch's stored bytes to `maxBytes` or more closes it *after* itself
 *    (a batch overshoots by at most one entry, i.e. one request's events for one shard).
 * Closing by time needs an entry at or past the deadline to exist; at an idle tail the archiver writes a
 * tick (a `k=t` entry, Redis-clocked) once the wall clock passes the deadline, so a live flush and a replay
 * see the same closing entry. Entries are never split: every event of one entry has the same ingest time
 * and site, so a boundary inside an entry would buy nothing but bookkeeping, and checkpoints stay plain ids.
 */

export interface BatchLimits {
  maxBytes: number;
  maxIntervalMs: number;
}

export type CloseReason = 'size' | 'interval' | 'hour';

export interface LogEntry {
  id: string;
  /** Ingest time: the id's millisecond part. */
  ms: number;
  kind: 'events' | 'tick' | 'unknown';
  /** Raw `d` field (JSON array of enriched events) for events entries; empty for ticks. */
  data: Buffer;
  /** Stored size of `data` in bytes (0 for ticks): what the size rule counts. */
  bytes: number;
}

export interface ClosedBatch {
  /** Events entries of the batch, in stream order. */
  entries: LogEntry[];
  firstId: string;
  /** Last entry covered (an events entry or a tick inside the batch): the checkpoint after delivery. */
  lastId: string;
  bytes: number;
  reason: CloseReason;
}

interface OpenBatch {
  entries: LogEntry[];
  firstId: string;
  lastId: string;
  bytes: number;
  deadlineMs: number;
  deadlineReason: 'interval' | 'hour';
}

const HOUR_MS = 3_600_000;

export function batchDeadline(
  firstMs: number,
  maxIntervalMs: number,
): { deadlineMs: number; reason: 'interval' | 'hour' } {
  const byInterval = firstMs + maxIntervalMs;
  const byHour = (Math.floor(firstMs / HOUR_MS) + 1) * HOUR_MS;
  return byHour < byInterval
    ? { deadlineMs: byHour, reason: 'hour' }
    : { deadlineMs: byInterval, reason: 'interval' };
}

export class BatchBuilder {
  private open: OpenBatch | undefined;
  /** The last entry seen while no batch was open (only ticks): the checkpoint may move past it. */
  private idleId: string | undefined;

  constructor(private readonly limits: BatchLimits) {}

  /** Feeds the next log entry; returns the batches it closes (zero, one, or two when it both ends the
   * previous batch by time and alone reaches the size limit). */
  push(entry: LogEntry): ClosedBatch[] {
    const closed: ClosedBatch[] = [];
    const open = this.open;
    if (open && entry.ms >= open.deadlineMs) closed.push(this.close(open, open.deadlineReason));
    if (entry.kind !== 'events') {
      if (this.open) this.open.lastId = entry.id;
      else this.idleId = entry.id;
      return closed;
    }
    let batch = this.open;
    if (!batch) {
      const { deadlineMs, reason } = batchDeadline(entry.ms, this.limits.maxIntervalMs);
      batch = {
        entries: [],
        firstId: entry.id,
        lastId: entry.id,
        bytes: 0,
        deadlineMs,
        deadlineReason: reason,
      };
      this.open = batch;
      this.idleId = undefined;
    }
    batch.entries.push(entry);
    batch.lastId = entry.id;
    batch.bytes += entry.bytes;
    if (batch.bytes >= this.limits.maxBytes) closed.push(this.close(batch, 'size'));
    return closed;
  }

  /** The batch still waiting for its closing entry, if any. */
  pending(): { firstId: string; deadlineMs: number; bytes: number; entries: number } | undefined {
    const open = this.open;
    return open
      ? {
          firstId: open.firstId,
          deadlineMs: open.deadlineMs,
          bytes: open.bytes,
          entries: open.entries.length,
        }
      : undefined;
  }

  /** With no batch open: the last entry seen (ticks only since the last batch), else undefined. */
  idleThrough(): string | undefined {
    return this.open ? undefined : this.idleId;
  }

  private close(batch: OpenBatch, reason: CloseReason): ClosedBatch {
    this.open = undefined;
    this.idleId = undefined;
    return {
      entries: batch.entries,
      firstId: batch.firstId,
      lastId: batch.lastId,
      bytes: batch.bytes,
      reason,
    };
  }
}
