import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Keys } from '../lib/redis/keys';
import type { RedisClient } from '../lib/redis/scripts';

export type EventOutcome = 'accepted' | 'duplicate' | 'rejected' | 'bot' | 'dnt';

/** The server's Prometheus metrics; stream lengths are read from Redis at scrape time. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'riffle_collect_requests_total',
    help: 'Collect requests by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'riffle_collect_events_total',
    help: 'Events received, by outcome (accepted includes duplicates; bot and dnt are dropped on purpose)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'riffle_collect_rejected_events_total',
    help: 'Events rejected by validation, by the top-level field at fault',
    labelNames: ['field'] as const,
    registers: [this.registry],
  });
  readonly shardWrite = new Histogram({
    name: 'riffle_shard_write_seconds',
    help: 'Latency of the dedupe-and-append script per shard, as seen by the ingest node',
    labelNames: ['shard'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly realtimeClients = new Gauge({
    name: 'riffle_realtime_clients',
    help: 'socket.io clients connected to this node',
    registers: [this.registry],
  });
  readonly realtimeMessages = new Counter({
    name: 'riffle_realtime_messages_total',
    help: 'Socket messages sent by this node, by kind (snapshot and delta per client; feed per broadcast)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly realtimeDrops = new Counter({
    name: 'riffle_realtime_drop_to_snapshot_total',
    help: 'Times a client fell behind (write buffer over REALTIME_CLIENT_BUFFER_BYTES): its deltas were dropped and it gets a fresh snapshot once drained',
    registers: [this.registry],
  });
  readonly realtimeOutboxLag = new Gauge({
    name: 'riffle_realtime_outbox_lag_seconds',
    help: 'Per shard, time from an outbox entry’s commit to this node applying it (last batch; 0 when idle)',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  constructor(redis: RedisClient, keys: Keys, shardCount: number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'riffle_server_' });
    new Gauge({
      name: 'riffle_stream_length',
      help: 'Entries in each shard stream (one entry holds one request’s events for that shard)',
      labelNames: ['shard'] as const,
      registers: [this.registry],
      async collect() {
        // One command per shard (not one pipeline): on Redis Cluster the shards live on different slots.
        const shards = Array.from({ length: shardCount }, (_, shard) => shard);
        const lengths = await Promise.all(shards.map((shard) => redis.xlen(keys.shard(shard).stream)));
        for (const [shard, length] of lengths.entries()) this.set({ shard: String(shard) }, length);
      },
    });
  }

  countEvents(outcome: EventOutcome, count: number): void {
    if (count > 0) this.events.inc({ outcome }, count);
  }
}
