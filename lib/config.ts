import { z } from 'zod';

/**
 * Every setting Riffle reads, parsed once from the environment. This file is the single place where
 * defaults live; docs/config.md and .env.example list the same table (a unit test keeps them in step).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Descriptions double as the documentation: docs/config.md and .env.example are generated from them. */
export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('production')
    .describe(
      '`development` runs Next.js in dev mode (hot reload); anything else serves the production build.',
    ),
  PORT: int(0, 65535).default(3000).describe('HTTP port of the server: collect API, dashboard, demo shop.'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Interface the server binds to.'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe('Public base URL used in printed links and snippets. Default: `http://localhost:PORT`.'),
  REDIS_URL: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Redis ≥ 7 to use. Unset: `npm start` launches a private `redis-server` (AOF on) under `DATA_DIR/redis`.',
    ),
  REDIS_CLUSTER: bool
    .default(false)
    .describe(
      'Treat REDIS_URL as a seed node of a Redis Cluster (same as writing it as `redis+cluster://host:port,…`).',
    ),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*:$/, 'must end with ":" and use only letters, digits, "_", "-", "."')
    .default('rf:')
    .describe('Prefix of every Redis key, so a shared Redis is never clobbered.'),
  SHARDS: int(1, 1024)
    .default(4)
    .describe('Number of stream shards (Kinesis shards). Fixed once data exists.'),
  RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24)
    .describe('Time-based retention of raw events in the shards; never trims what a consumer has not read.'),
  JANITOR_INTERVAL_MS: int(1000, 3_600_000)
    .default(60_000)
    .describe('How often the retention janitor trims.'),
  DEDUPE_HORIZON_MS: int(60_000, 86_400_000)
    .default(600_000)
    .describe(
      'A repeated event id is dropped at ingest for at least this long (the snippet retries for 8 min).',
    ),
  RATE_LIMIT_IP_PER_MINUTE: int(0, 10_000_000)
    .default(600)
    .describe('Collect requests per minute from one client IP; `0` disables.'),
  RATE_LIMIT_SITE_PER_MINUTE: int(0, 100_000_000)
    .default(120_000)
    .describe('Events per minute accepted for one site; `0` disables.'),
  COLLECT_MAX_INFLIGHT: int(1, 100_000)
    .default(256)
    .describe(
      'Collect requests one server process works on at once; beyond it answers 503 at once (load shedding).',
    ),
  TRUST_PROXY: z
    .enum(['false', 'true', 'loopback'])
    .default('loopback')
    .describe(
      'Whose `X-Forwarded-For` to believe: `false` (socket address only), `true` (any peer), `loopback` (a proxy on this machine).',
    ),
  RESULTS_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(48)
    .describe('How long FINAL window results stay readable (stats API) after their window ended.'),
  LEASE_TTL_MS: int(500, 600_000)
    .default(10_000)
    .describe('Shard lease lifetime (Redis clock); a dead worker’s shards move to others within 2 × this.'),
  TICK_INTERVAL_MS: int(100, 60_000)
    .default(1_000)
    .describe('An idle shard gets a tick entry this often, so its windows still close on time.'),
  LIVE_INTERVAL_MS: int(50, 10_000)
    .default(250)
    .describe('Live (open-window) values are published at most this often per shard.'),
  AGGREGATOR_BATCH_ENTRIES: int(1, 100_000)
    .default(500)
    .describe('Stream entries an aggregator folds and commits at once (one commit script per batch).'),
  OUTBOX_MAX_ENTRIES: int(1_000, 10_000_000)
    .default(20_000)
    .describe(
      'Length bound of each shard’s outbox stream (MAXLEN ~); about 90 s of history at 2,000 events/s. A gateway further behind reloads from state.',
    ),
  REALTIME_SNAPSHOT_ROWS: int(1, 1000)
    .default(100)
    .describe(
      'Rows per window in a socket snapshot (newest first, as the stats API’s default `limit`); deltas carry every changed row.',
    ),
  REALTIME_CLIENT_BUFFER_BYTES: int(1_024, 67_108_864)
    .default(1_048_576)
    .describe(
      'A socket client with more unsent bytes than this is dropped to snapshot: no deltas until it drains, then a fresh snapshot.',
    ),
  ARCHIVE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where the archiver writes gzip NDJSON batches, manifests and `errors/`. Default: `DATA_DIR/archive`.',
    ),
  ARCHIVE_MAX_BYTES: int(1_048_576, 134_217_728)
    .default(5_242_880)
    .describe(
      'Archiver buffer hint: a batch closes once its events’ stored JSON reaches this many bytes (1–128 MB).',
    ),
  ARCHIVE_MAX_INTERVAL_MS: int(1_000, 900_000)
    .default(60_000)
    .describe(
      'Archiver buffer hint: a batch closes at the first entry this long (ingest time) after its first event, or at the end of the UTC hour.',
    ),
  ARCHIVE_GZIP_LEVEL: int(1, 9)
    .default(6)
    .describe('gzip level of archive files (1 = fastest, 9 = smallest).'),
  ARCHIVE_TRANSFORM: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Module whose default export `(record) => record | null` (or a Promise of it) changes or drops each archived record.',
    ),
  ARCHIVER_METRICS_PORT: int(0, 65535)
    .default(0)
    .describe('Port of the archiver’s own `/metrics` and `/status` listener; `0` = off.'),
  ARCHIVER_FAULT_KILL_AT: z
    .string()
    .regex(/^(read|gzip|written|manifest|renamed|committed):[1-9][0-9]*$/, 'must look like "renamed:2"')
    .optional()
    .describe('Tests only: the archiver SIGKILLs itself at the n-th time it reaches this step of a batch.'),
  GEOIP: bool
    .default(true)
    .describe('Look up the visitor country in the bundled offline GeoLite2 country table.'),
  DATA_DIR: z.string().min(1).default('.data').describe('Local state: the private Redis (`DATA_DIR/redis`).'),
  APP_ENABLED: bool
    .default(true)
    .describe('Serve the Next.js pages (dashboard, demo shop); `false` makes an ingest-only node.'),
  DEMO_SITE: bool.default(true).describe('Create the `demo` site on first start.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level of every process (JSON logs on stdout).'),
  ADMIN_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .optional()
    .describe(
      'Password of the admin UI and API. `npm start` generates one into DATA_DIR/admin-password when unset.',
    ),
  ADMIN_SESSION_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'Key that signs admin sessions and share links. Default: a random key kept in Redis (shared by all nodes).',
    ),
  ADMIN_SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12)
    .describe('Admin session lifetime.'),
  LOGIN_ATTEMPTS_PER_15_MIN: int(1, 1000)
    .default(10)
    .describe('Failed admin logins allowed per client IP per 15 minutes.'),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000)
    .default(10_000)
    .describe('Longest graceful shutdown before open connections are cut.'),
  FAULT_KILL_AT: z
    .string()
    .regex(/^(read|commit-sent|committed):[1-9][0-9]*$/, 'must look like "commit-sent:3"')
    .optional()
    .describe('Tests only: the aggregator SIGKILLs itself at the n-th time it reaches this step of a batch.'),
  CHROMIUM_PATH: z
    .string()
    .min(1)
    .default('/usr/bin/chromium')
    .describe('Chromium used by the end-to-end tests (tests only).'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses settings from an environment object; throws a ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  // One place decides single node vs cluster: every client is created from REDIS_URL alone.
  if (config.REDIS_CLUSTER && config.REDIS_URL !== undefined && /^rediss?:\/\//.test(config.REDIS_URL)) {
    config.REDIS_URL = config.REDIS_URL.replace(/^rediss?:/, 'redis+cluster:');
  }
  return config;
}

let cached: Config | undefined;

/** The process's configuration: the one place that reads process.env. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The environment for a child process: this process's environment plus overrides. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...overrides };
}

export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
}
