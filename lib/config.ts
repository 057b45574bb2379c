import { z } from 'zod';

/**
 * Every setting Riffle reads, parsed once from the environment. This file is the single place where
 * defaults live; docs/config.md and .env.example list the same table (a unit test keeps them in step).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** HTTP port of the server (collect API, socket.io, dashboard). */
  PORT: int(0, 65535).default(3000),
  /** Interface the server binds to. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Public base URL, used in printed links and snippets; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** Redis to use. Unset: `npm start` launches a private redis-server under DATA_DIR/redis. */
  REDIS_URL: z.string().min(1).optional(),
  /** Prefix of every Redis key, so a shared Redis is never clobbered. */
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*:$/, 'must end with ":" and use only letters, digits, "_", "-", "."')
    .default('rf:'),
  /** Number of stream shards (changing it later needs a reshard; see docs/architecture.md). */
  SHARDS: int(1, 1024).default(4),
  /** Time-based retention of raw events in the shards. */
  RETENTION_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  /** How often the janitor trims the shards. */
  JANITOR_INTERVAL_MS: int(1000, 3_600_000).default(60_000),
  /** Horizon within which a repeated event id is dropped at ingest (must exceed the snippet's 8 min retry horizon). */
  DEDUPE_HORIZON_MS: int(60_000, 86_400_000).default(600_000),
  /** Requests per minute allowed from one client IP to the collect endpoints; 0 disables. */
  RATE_LIMIT_IP_PER_MINUTE: int(0, 10_000_000).default(600),
  /** Events per minute accepted for one site; 0 disables. */
  RATE_LIMIT_SITE_PER_MINUTE: int(0, 100_000_000).default(120_000),
  /**
   * Whose X-Forwarded-For to believe for the client IP: `false` (socket address only), `true` (any peer),
   * `loopback` (peers on 127.0.0.0/8 or ::1, e.g. a local reverse proxy).
   */
  TRUST_PROXY: z.enum(['false', 'true', 'loopback']).default('loopback'),
  /** Look up the visitor's country in the bundled offline GeoLite2 country table. */
  GEOIP: bool.default(true),
  /** Directory for local state: the private Redis (DATA_DIR/redis) and, later, the archive. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Serve the Next.js pages (dashboard, demo shop, admin); `false` makes an ingest-only node. */
  APP_ENABLED: bool.default(true),
  /** Create the `demo` site on first start. */
  DEMO_SITE: bool.default(true),
  /** Log level of every process. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Hard limit for a graceful shutdown before connections are cut. */
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
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
  return result.data;
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
