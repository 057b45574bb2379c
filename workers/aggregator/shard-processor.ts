import { definitionRef, type StartPosition } from '../../lib/aggregation/definition-store';
import type { OwnedLease } from '../../lib/leases/lease-manager';
import type { Logger } from '../../lib/logger';
import type { ShardKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { decodeEntry, type StreamEntry, streamIdMs } from '../../lib/streams/entry';
import { readEntries, writeTick } from '../../lib/streams/reader';
import { streamInfo } from '../../lib/streams/stream-info';
import type { WindowDefinition } from '../../lib/windows/definition';
import { type EngineInput, WindowEngine, type WindowResult } from '../../lib/windows/engine';
import { runShardLoop } from '../shared/shard-loop';
import { commitBatch } from './commit';
import { checkForGap } from './gap-check';
import { LiveValues } from './live-values';
import { loadShardState } from './state-loader';

export interface ShardProcessorOptions {
  batchEntries: number;
  tickIntervalMs: number;
  liveIntervalMs: number;
  resultsRetentionMs: number;
  outboxMaxEntries: number;
}

export interface ShardProcessorDeps {
  shard: number;
  keys: ShardKeys;
  lease: OwnedLease;
  /** Shared client for commits, ticks and state reads (never blocks). */
  redis: RedisClient;
  /** A connection of this shard's own, for the blocking XREAD. */
  reader: RedisClient;
  /** Hash of open alarms (keys.alarms). */
  alarmsKey: string;
  /** False once the lease manager no longer vouches for the lease (renewal failed or it expired). */
  leaseIsValid: () => boolean;
  /** The commit script said another worker owns the shard now. */
  onFenced: () => void;
  logger: Logger;
  options: ShardProcessorOptions;
  /** Test hook: called between the steps of a batch, to inject crashes. */
  onStep?: (step: 'read' | 'commit-sent' | 'committed') => void;
}

/**
 * The read–fold–commit loop of one owned shard. The engines' state always equals what the last commit
 * stored (plus the batch being folded); any doubt — an error, a STALE reply — is settled by reloading
 * the committed state from Redis, never by guessing, so a batch is applied exactly once.
 */
export class ShardProcessor {
  private closing = false;
  private engines = new Map<string, WindowEngine>();
  /** Back-filling engines (start from the beginning of retention): their own position, until they catch up. */
  private catchUp = new Map<string, string>();
  private definitions = new Map<string, { definition: WindowDefinition; startFrom: StartPosition }>();
  private checkpointId = '';
  /** On a shard's very first commit: entries the stream lost before this consumer ever read it. */
  private entriesBase: number | undefined;
  private lastEntryAtMs = performance.now();
  private lastLiveAtMs = 0;
  private readonly liveValues = new LiveValues();
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: ShardProcessorDeps) {}

  /** The definitions to run; takes effect between batches. */
  setDefinitions(
    definitions: ReadonlyArray<{ definition: WindowDefinition; startFrom: StartPosition }>,
  ): void {
    this.definitions = new Map(definitions.map((d) => [definitionRef(d.definition), d]));
  }

  /** A definition new to this shard: back-fill from the start of retention, or start at the checkpoint. */
  private startEngine(ref: string, definition: WindowDefinition, startFrom: StartPosition): WindowEngine {
    const engine = new WindowEngine(definition);
    if (startFrom === 'trim_horizon' && this.checkpointId !== '') this.catchUp.set(ref, '0-0');
    return engine;
  }

  start(): void {
    this.loop = this.run();
  }

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
        fenced: 'commit fenced: another worker owns this shard now; stopping it',
        stale: 'commit was stale (already applied, or the shard moved on); reloading committed state',
        error: 'shard loop error; reloading committed state',
      },
    });
  }

  /** Rebuilds every engine from the committed state. */
  private async load(): Promise<void> {
    const { checkpointId, engines } = await loadShardState(this.deps.redis, this.deps.keys);
    this.checkpointId = checkpointId;
    if (checkpointId === '') {
      const info = await streamInfo(this.deps.redis, this.deps.keys.stream);
      this.entriesBase = info ? info.entriesAdded - info.length : 0;
    }
    this.engines = new Map();
    this.catchUp = new Map();
    for (const [ref, { definition, startFrom }] of this.definitions) {
      const persisted = engines.get(ref);
      if (!persisted) {
        this.engines.set(ref, this.startEngine(ref, definition, startFrom));
        continue;
      }
      const cells = persisted.cells.sort(([a], [b]) => (a < b ? -1 : 1));
      this.engines.set(
        ref,
        new WindowEngine(definition, { observedTimeMs: persisted.observedTimeMs, cells }),
      );
      if (persisted.catchUpPosition !== null) this.catchUp.set(ref, persisted.catchUpPosition);
    }
  }

  /** Adds engines for new definitions and drops removed ones, between batches. */
  private async syncEngines(): Promise<void> {
    // A definition new to this loop may have committed state already (a paused window resumed, another
    // worker's shard moved here): rebuild every engine from Redis rather than start it empty.
    if ([...this.definitions.keys()].some((ref) => !this.engines.has(ref))) await this.load();
    for (const ref of [...this.engines.keys()]) {
      if (!this.definitions.has(ref)) {
        this.engines.delete(ref);
        this.catchUp.delete(ref);
        this.liveValues.forget(ref);
      }
    }
  }

  private async step(): Promise<'OK' | 'FENCED' | 'STALE' | 'LEASE_LOST' | 'IDLE'> {
    const { keys, options, redis, reader } = this.deps;
    if (!this.deps.leaseIsValid()) return 'LEASE_LOST';
    await this.syncEngines();
    const blockMs = Math.max(10, Math.min(options.tickIntervalMs, options.liveIntervalMs));
    const entries = await readEntries(reader, keys.stream, {
      afterId: this.checkpointId === '' ? '0-0' : this.checkpointId,
      count: options.batchEntries,
      blockMs,
    });
    this.deps.onStep?.('read');
    const nowMs = performance.now();
    if (entries.length === 0 && this.catchUp.size === 0) {
      if (nowMs - this.lastEntryAtMs >= options.tickIntervalMs) {
        await writeTick(redis, keys.stream);
        this.lastEntryAtMs = nowMs;
      }
      return 'IDLE';
    }
    if (entries.length > 0) {
      this.lastEntryAtMs = nowMs;
      // Before the checkpoint moves past it: were entries after the checkpoint trimmed unread?
      await checkForGap(this.deps, this.checkpointId);
    }
    const current = [...this.engines].filter(([ref]) => !this.catchUp.has(ref)).map(([, engine]) => engine);
    this.fold(entries, current);
    const catchUp = await this.backfill(entries);
    const lastId = entries[entries.length - 1]?.id ?? this.checkpointId;
    const deltas = [...this.engines].map(([ref, engine]) => [ref, engine.drain()] as const);
    const publishLive = nowMs - this.lastLiveAtMs >= options.liveIntervalMs;
    const live: Array<[string, WindowResult[]]> = publishLive
      ? [...this.engines]
          .filter(([ref]) => !this.catchUp.has(ref))
          .map(([ref, engine]) => [ref, engine.live()])
      : [];
    if (!this.deps.leaseIsValid()) return 'LEASE_LOST';
    const ingestOtMs = streamIdMs(lastId);
    const outcome = await commitBatch(redis, keys, {
      leaseValue: this.deps.lease.value,
      previousId: this.checkpointId,
      nextId: lastId,
      deltas,
      live,
      resultsMinEndMs: (ref) =>
        ingestOtMs - (this.definitions.get(ref)?.definition.resultsRetentionMs ?? options.resultsRetentionMs),
      outboxMaxEntries: options.outboxMaxEntries,
      eventCount: entries.reduce(
        (sum, entry) => sum + (entry.kind === 'events' ? entry.events.length : 0),
        0,
      ),
      entryCount: entries.length,
      ...(this.checkpointId === '' && this.entriesBase !== undefined
        ? { entriesBase: this.entriesBase }
        : {}),
      catchUp,
    });
    this.deps.onStep?.('commit-sent');
    if (outcome !== 'OK') return outcome;
    this.checkpointId = lastId;
    this.deps.onStep?.('committed');
    for (const [ref, delta] of deltas) this.liveValues.settle(ref, delta.finals);
    if (publishLive) {
      this.lastLiveAtMs = nowMs;
      for (const [ref, results] of live) this.liveValues.update(ref, results);
      await this.liveValues.publish(redis, keys.aggLive, lastId);
    }
    return 'OK';
  }

  /**
   * Moves back-filling engines forward by one bounded chunk of the history they have not seen (entries up to
   * the checkpoint, which the current engines already folded). An engine that reaches the checkpoint also
   * folds this batch's new entries and from then on runs like the others. Positions are committed with
   * the engines' cells, so a crash resumes the back-fill where it was.
   */
  private async backfill(batch: readonly StreamEntry[]): Promise<Array<[string, string | null]>> {
    const positions: Array<[string, string | null]> = [];
    for (const [ref, position] of [...this.catchUp]) {
      const engine = this.engines.get(ref);
      if (!engine) continue;
      const limit = this.deps.options.batchEntries;
      const history = await this.deps.redis.xrange(
        this.deps.keys.stream,
        `(${position}`,
        this.checkpointId,
        'COUNT',
        limit,
      );
      this.fold(
        history.map(([id, fields]) => decodeEntry(id, fields)),
        [engine],
      );
      if (history.length < limit) {
        this.fold(batch, [engine]);
        this.catchUp.delete(ref);
        positions.push([ref, null]);
      } else {
        const next = history[history.length - 1]?.[0] ?? position;
        this.catchUp.set(ref, next);
        positions.push([ref, next]);
      }
    }
    return positions;
  }

  /** Back-fill progress per definition ref: 0…1 of the shard's history folded. */
  backfillPositions(): ReadonlyMap<string, string> {
    return this.catchUp;
  }

  private fold(entries: readonly StreamEntry[], engines: readonly WindowEngine[]): void {
    for (const entry of entries) {
      const ingestMs = streamIdMs(entry.id);
      if (entry.kind === 'events') {
        for (const event of entry.events) {
          const input: EngineInput = { kind: 'event', ingestMs, event };
          for (const engine of engines) engine.apply(input);
        }
      } else if (entry.kind === 'tick') {
        const input: EngineInput = { kind: 'tick', ingestMs };
        for (const engine of engines) engine.apply(input);
      }
    }
  }
}
