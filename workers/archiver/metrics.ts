import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Delivery } from '../../lib/archive/deliver';
import { type ArchiveShardStatus, readArchiveStatus } from '../../lib/archive/status';
import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import type { ArchiveObserver } from './shard-archiver';

/** This archiver process's Prometheus metrics (what it delivered itself; Redis holds the shard totals). */
export class ArchiverMetrics implements ArchiveObserver {
  readonly registry = new Registry();
  private readonly files = new Counter({
    name: 'riffle_archiver_files_total',
    help: 'Data files delivered (manifests not counted), by shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'riffle_archiver_bytes_total',
    help: 'gzip bytes delivered, by shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });
  private readonly uncompressed = new Counter({
    name: 'riffle_archiver_uncompressed_bytes_total',
    help: 'NDJSON bytes delivered before compression, by shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });
  private readonly records = new Counter({
    name: 'riffle_archiver_records_total',
    help: 'Records archived, by shard and outcome (archived, failed = under errors/, dropped by the transformation)',
    labelNames: ['shard', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly writeErrors = new Counter({
    name: 'riffle_archiver_write_errors_total',
    help: 'Failed attempts to write a batch to the destination (each is retried), by shard and error code',
    labelNames: ['shard', 'code'] as const,
    registers: [this.registry],
  });
  private readonly lastDelivery = new Gauge({
    name: 'riffle_archiver_last_delivery_timestamp_seconds',
    help: 'Unix time of the last batch this process delivered, by shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'riffle_archiver_lag_seconds',
    help: 'Ingest-time distance from the checkpoint to the newest entry, by owned shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });
  private readonly rate = new Gauge({
    name: 'riffle_archiver_records_per_second',
    help: 'Records archived per second over the last 10 s, by owned shard',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'riffle_archiver_' });
  }

  delivered(shard: number, delivery: Delivery): void {
    const labels = { shard: String(shard) };
    this.files.inc(labels, delivery.paths.length);
    this.bytes.inc(labels, delivery.bytes);
    this.uncompressed.inc(labels, delivery.uncompressedBytes);
    this.records.inc({ ...labels, outcome: 'archived' }, delivery.records);
    this.records.inc({ ...labels, outcome: 'failed' }, delivery.failedRecords);
    this.records.inc({ ...labels, outcome: 'dropped' }, delivery.droppedRecords);
    this.lastDelivery.set(labels, Date.now() / 1000);
  }

  writeFailed(shard: number, error: unknown): void {
    const code =
      error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
    this.writeErrors.inc({ shard: String(shard), code });
  }

  progress(shard: number, lagMs: number, recordsPerSecond: number): void {
    this.lag.set({ shard: String(shard) }, lagMs / 1000);
    this.rate.set({ shard: String(shard) }, recordsPerSecond);
  }

  /** A shard this process no longer owns: its gauges would go stale. */
  forget(shard: number): void {
    this.lag.remove({ shard: String(shard) });
    this.rate.remove({ shard: String(shard) });
  }
}

export interface StatusSource {
  workerId: string;
  ownedShards: () => number[];
  redis: RedisClient;
  keys: Keys;
  shardCount: number;
}

/** `/metrics` (Prometheus text) and `/status` (JSON: every shard's status from Redis, and what we own). */
export function startMetricsServer(
  metrics: ArchiverMetrics,
  source: StatusSource,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET') return send(405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => send(200, metrics.registry.contentType, text),
        () => send(500, 'application/json', '{"error":"metrics failed"}'),
      );
      return;
    }
    if (path === '/status') {
      readStatus(source).then(
        (status) => send(200, 'application/json', JSON.stringify(status)),
        (error: unknown) =>
          send(
            503,
            'application/json',
            JSON.stringify({ error: 'redis unavailable', detail: String(error) }),
          ),
      );
      return;
    }
    send(404, 'application/json', '{"error":"not found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function readStatus(source: StatusSource): Promise<{
  workerId: string;
  shards: Array<{ shard: number; ownedHere: boolean; status: ArchiveShardStatus | null }>;
}> {
  const owned = new Set(source.ownedShards());
  const shards = await Promise.all(
    Array.from({ length: source.shardCount }, async (_, shard) => ({
      shard,
      ownedHere: owned.has(shard),
      status: await readArchiveStatus(source.redis, source.keys.shard(shard)),
    })),
  );
  return { workerId: source.workerId, shards };
}
