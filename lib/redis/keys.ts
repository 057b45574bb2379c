/**
 * The one module that builds Redis key names. Every key that belongs to a shard carries the hash tag
 * `{s<k>}`, so a script may touch all of them on one Redis Cluster slot; global keys have no tag.
 */

export type ConsumerName = 'aggregator' | 'archiver';

export interface ShardKeys {
  /** The shard's event stream (Kinesis shard): entries of enriched events and tick entries. */
  readonly stream: string;
  /** Per-minute-bucket set of recently seen `site|eventId` members, expired whole. */
  dedupeBucket(bucket: number): string;
  /** A consumer's checkpoint on this shard: the last stream id (and sub-index) it has processed. */
  checkpoint(consumer: ConsumerName): string;
  /** The shard's lease for a consumer kind: `owner:epoch` with a TTL. */
  lease(consumer: ConsumerName): string;
  /** Outbox stream: FINAL results and live values of the aggregator, read by the realtime gateway. */
  readonly outbox: string;
  /** Aggregator state cells: `<def>@<version>|<cell>` → serialized cell (and `|#ot` observed time). */
  readonly aggState: string;
  /** FINAL results of one definition version (`<id>@<version>`): sorted set by window end. */
  aggResults(ref: string): string;
  /** Late events per window: `<def>@<version>|<site>|<start>|<end>` → count. */
  readonly aggLate: string;
  /** Latest live (open-window) values per definition version and their observed time. */
  readonly aggLive: string;
  /** Archiver status of the shard (hash): delivery counters kept by its commit script, lag and rate. */
  readonly archiveStatus: string;
}

export interface Keys {
  readonly prefix: string;
  shard(shard: number): ShardKeys;
  /** Hash of site id → site JSON. */
  readonly sites: string;
  /** The visitor-id salt of one UTC day (YYYY-MM-DD). */
  salt(day: string): string;
  /** Set of consumer kinds whose checkpoints bound trimming. */
  readonly consumers: string;
  /** Rate limiter namespace (rate-limiter-flexible adds its own suffix). */
  rateLimit(kind: 'ip' | 'site' | 'login'): string;
  /** Live workers of a consumer kind: sorted set of worker id → last heartbeat (Redis clock). */
  workers(consumer: ConsumerName): string;
  /** Window definitions: hash of id → JSON (every version's current definition and status). */
  readonly windows: string;
  /** Counter bumped on every definition change, so workers notice within one poll. */
  readonly windowsRevision: string;
  /** Pipeline counters shared by every server node (hash: accepted, duplicate, bot, dnt, rejected:<field>). */
  readonly ingestCounters: string;
  /** Random key signing admin sessions and share links when ADMIN_SESSION_SECRET is not set. */
  readonly adminSecret: string;
  /** Open alarms (hash: alarm id → JSON), e.g. a consumer holding back retention; shown in the admin UI. */
  readonly alarms: string;
  /**
   * The socket.io Redis streams adapter shared by every server node: its stream (bounded by the adapter),
   * its pub/sub channel prefix and its session key prefix.
   */
  readonly socketIo: {
    readonly stream: string;
    readonly channelPrefix: string;
    readonly sessionPrefix: string;
  };
}

export function shardTag(shard: number): string {
  return `{s${shard}}`;
}

export function createKeys(prefix: string): Keys {
  const shardCache = new Map<number, ShardKeys>();
  return {
    prefix,
    shard(shard) {
      let keys = shardCache.get(shard);
      if (!keys) {
        const base = `${prefix}${shardTag(shard)}`;
        keys = {
          stream: `${base}:in`,
          dedupeBucket: (bucket) => `${base}:dd:${bucket}`,
          checkpoint: (consumer) => `${base}:ck:${consumer}`,
          lease: (consumer) => `${base}:lease:${consumer}`,
          outbox: `${base}:out`,
          aggState: `${base}:agg:state`,
          aggResults: (ref) => `${base}:agg:res:${ref}`,
          aggLate: `${base}:agg:late`,
          aggLive: `${base}:agg:live`,
          archiveStatus: `${base}:arch:status`,
        };
        shardCache.set(shard, keys);
      }
      return keys;
    },
    sites: `${prefix}sites`,
    salt: (day) => `${prefix}salt:${day}`,
    consumers: `${prefix}consumers`,
    rateLimit: (kind) => `${prefix}rl:${kind}`,
    alarms: `${prefix}alarms`,
    socketIo: {
      stream: `${prefix}sio:stream`,
      channelPrefix: `${prefix}sio`,
      sessionPrefix: `${prefix}sio:session:`,
    },
    adminSecret: `${prefix}admin:secret`,
    ingestCounters: `${prefix}stats:ingest`,
    workers: (consumer) => `${prefix}workers:${consumer}`,
    windows: `${prefix}windows`,
    windowsRevision: `${prefix}windows:rev`,
  };
}
