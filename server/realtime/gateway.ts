import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import type { StoredWindow } from '../../lib/aggregation/definition-store';
import { readAdminHealth } from '../../lib/aggregation/pipeline-health';
import { type SubscribeReply, subscribeRequestSchema } from '../../lib/realtime/contract';
import { createRedisClient } from '../../lib/redis/client';
import type { ServerContext } from '../context';
import { mayReadSite } from '../http/auth';
import { type Client, newClient } from './clients';
import { type FeedInput, type FeedSink, LiveFeed } from './feed';
import { adminRefusal, HealthBroadcaster } from './health-broadcaster';
import { OUTBOX_BLOCK_MS, OutboxTailer } from './outbox-tailer';
import { subscribe, unsubscribe } from './subscriptions';
import type { RealtimeServer } from './types';
import { ViewHub } from './view-hub';
import { syncShard } from './view-loader';

export type RealtimeDeps = Pick<
  ServerContext,
  'config' | 'logger' | 'redis' | 'keys' | 'sites' | 'windows' | 'salts' | 'metrics' | 'signingKey'
>;

export interface RealtimeGateway extends FeedSink {
  readonly io: RealtimeServer;
  /** Per shard, the last outbox id this node has applied (diagnostics and tests). */
  outboxPositions(): Array<string | undefined>;
  /** This node's pipeline-health subscribers and whether its timer runs (diagnostics and tests). */
  healthStatus(): { subscribers: number; running: boolean };
  /** Stops the outbox readers, then `io.close()` (sockets, adapter, and the HTTP server's listener). */
  close(): Promise<void>;
}

/** Bound of the socket.io adapter's stream (MAXLEN ~). */
const ADAPTER_STREAM_MAX_ENTRIES = 2_000;
/** How often observed times are re-read (idle shards advance them without outbox entries). */
const SYNC_INTERVAL_MS = 1_000;
/** Late counts are re-read every this many syncs. */
const LATE_EVERY_SYNCS = 5;

/**
 * The realtime gateway of one server node: socket.io on the node's HTTP server (next to Next.js), the Redis
 * streams adapter so every node shares rooms, one outbox tailer per shard on a connection of its own, the
 * merged window views and their fan-out (view-hub.ts), and the live feed (feed.ts).
 *
 * Aggregates: every node tails every outbox and emits only to its own sockets (`io.local`), so a client gets
 * each update once whichever node it is on. The live feed starts on the node that accepted the events and
 * goes through the adapter to every node's sockets. Pipeline health (admin only) is computed by each node for
 * its own subscribers only while it has subscribers (health-broadcaster.ts).
 */
export function startRealtimeGateway(httpServer: HttpServer, deps: RealtimeDeps): RealtimeGateway {
  const { config, logger, redis, keys, metrics } = deps;
  if (config.REDIS_URL === undefined) throw new Error('the realtime gateway needs REDIS_URL');
  const redisUrl = config.REDIS_URL;
  // The adapter duplicates this client for its blocking reader (XREAD BLOCK blockTimeInMs): the timeout must
  // exceed the block, and it bounds retries, so that reader stops once closed even if Redis is gone.
  const adapterClient = createRedisClient(redisUrl, {
    name: 'socket.io-adapter',
    commandTimeoutMs: OUTBOX_BLOCK_MS + 5_000,
  });
  adapterClient.on('error', (error: Error) => logger.warn({ err: error }, 'socket.io adapter redis error'));
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // In development Next.js' hot-reload socket upgrades on this server too: leave unknown upgrades alone.
    destroyUpgrade: config.NODE_ENV !== 'development',
    adapter: createAdapter(adapterClient, {
      streamName: keys.socketIo.stream,
      channelPrefix: keys.socketIo.channelPrefix,
      sessionKeyPrefix: keys.socketIo.sessionPrefix,
      blockTimeInMs: OUTBOX_BLOCK_MS,
      // Nodes read the adapter stream within milliseconds; the default 10,000 entries (~5 KB each with
      // feed batches) only cost Redis memory.
      maxLen: ADAPTER_STREAM_MAX_ENTRIES,
      onlyPlaintext: true,
    }),
  });

  const hub = new ViewHub({
    io,
    redis,
    keys,
    shardCount: config.SHARDS,
    snapshotRows: config.REALTIME_SNAPSHOT_ROWS,
    clientBufferBytes: config.REALTIME_CLIENT_BUFFER_BYTES,
    metrics,
    logger,
  });
  const feed = new LiveFeed(io, deps.salts, config.GEOIP, metrics, logger);
  const health = new HealthBroadcaster({
    io,
    read: () => readAdminHealth(redis, keys, config.SHARDS),
    refusal: (socket) => adminRefusal(deps, socket.request),
    logger,
  });
  const tailers = Array.from({ length: config.SHARDS }, (_, shard) => {
    const reader = createRedisClient(redisUrl, {
      name: `gateway-outbox-${shard}`,
      // A watchdog on the blocking read: a dead connection fails the XREAD instead of hanging it.
      commandTimeoutMs: OUTBOX_BLOCK_MS + 5_000,
    });
    reader.on('error', (error: Error) => logger.warn({ err: error, shard }, 'outbox reader redis error'));
    const lag = metrics.realtimeOutboxLag.labels({ shard: String(shard) });
    return new OutboxTailer({
      shard,
      outboxKey: keys.shard(shard).outbox,
      reader,
      sink: hub,
      logger,
      onLag: (lagMs) => lag.set(lagMs / 1000),
    });
  });
  for (const tailer of tailers) tailer.start();

  let closing = false;
  let wake: (() => void) | undefined;
  let revision = -1;
  let definitions: StoredWindow[] = [];
  const loadDefinitions = async (): Promise<StoredWindow[]> => {
    const current = await deps.windows.revision();
    if (current !== revision) {
      definitions = await deps.windows.list();
      revision = current;
      hub.refreshDefinitions(definitions);
    }
    return definitions;
  };

  const syncLoop = async (): Promise<void> => {
    let backoffMs = SYNC_INTERVAL_MS;
    for (let round = 0; !closing; round++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (closing) return;
      try {
        const refs = hub.activeRefs();
        const syncs = await Promise.all(tailers.map((_, shard) => syncShard(redis, keys, shard, refs)));
        for (const [shard, sync] of syncs.entries()) tailers[shard]?.offerSync(sync);
        hub.refreshPositions();
        if (round % LATE_EVERY_SYNCS === 0) await hub.refreshLate();
        await loadDefinitions();
        backoffMs = SYNC_INTERVAL_MS;
      } catch (error) {
        backoffMs = Math.min(backoffMs * 2, 10_000);
        logger.warn({ err: error, retryInMs: backoffMs }, 'realtime sync failed');
      }
    }
  };
  const syncing = syncLoop();

  io.on('connection', (socket) => {
    const client: Client = newClient(socket);
    socket.data.subscriptions = [];
    metrics.realtimeClients.inc();
    const handshakeAuth = socket.handshake.auth as Record<string, unknown>;
    const share = typeof handshakeAuth['share'] === 'string' ? handshakeAuth['share'] : undefined;
    const context = {
      hub,
      sites: deps.sites,
      loadDefinitions,
      logger,
      authorize: (site: string) => mayReadSite(deps, socket.request, site, share),
    };
    socket.on('subscribe', (request: unknown, ack: unknown) => {
      void subscribe(context, client, request).then((reply: SubscribeReply) => {
        if (typeof ack === 'function') ack(reply);
      });
    });
    socket.on('unsubscribe', (request: unknown) => {
      const parsed = subscribeRequestSchema.safeParse(request);
      if (parsed.success) unsubscribe(hub, client, parsed.data);
    });
    // The ack is the last argument whatever a client sends before it (the contract sends nothing).
    socket.on('health:subscribe', (...args: unknown[]) => {
      const ack = args.at(-1);
      void health.subscribe(socket).then((reply) => {
        if (typeof ack === 'function') ack(reply);
      });
    });
    socket.on('health:unsubscribe', () => health.unsubscribe(socket));
    socket.on('disconnect', () => {
      for (const slot of [...client.slots]) hub.detach(client, slot);
      hub.clients.forget(client);
      health.unsubscribe(socket);
      metrics.realtimeClients.dec();
    });
  });

  return {
    io,
    publishFeed: (input: FeedInput) => feed.publishFeed(input),
    outboxPositions: () => tailers.map((t) => t.lastId),
    healthStatus: () => ({ subscribers: health.subscriberCount, running: health.running }),
    async close() {
      if (closing) return;
      closing = true;
      wake?.();
      await syncing;
      await Promise.all(tailers.map((t) => t.stop()));
      feed.close();
      health.close();
      hub.close();
      await io.close();
      adapterClient.disconnect();
    },
  };
}
