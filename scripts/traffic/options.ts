import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SITE_ID_PATTERN } from '../../lib/events/schema';

/**
 * Command-line options of scripts/traffic.ts. Defaults: --rate 200 events/s, --duration 60 s (max 3600),
 * --url http://127.0.0.1:$PORT (PORT from lib/config), --site demo, --seed random, loopback hosts only
 * unless --allow-remote.
 */

export const DEFAULT_RATE = 200;
export const DEFAULT_DURATION_S = 60;
export const MAX_DURATION_S = 3600;
export const MAX_RATE = 100_000;
export const DEFAULT_SITE = 'demo';

export interface TrafficOptions {
  rate: number;
  durationS: number;
  /** Base URL without a trailing slash. */
  url: string;
  site: string;
  seed: string | undefined;
  allowRemote: boolean;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'ok'; options: TrafficOptions };

export function helpText(defaultUrl: string | undefined): string {
  return `Usage: npm run traffic -- [options]
       node --import tsx scripts/traffic.ts [options]

Simulates visitors of the demo shop and posts their events to the collect API, like the snippet would.

Options:
  --rate <n>        events per second to generate, in total (default ${DEFAULT_RATE}, max ${MAX_RATE})
  --duration <s>    how long to run, in seconds (default ${DEFAULT_DURATION_S}, max ${MAX_DURATION_S})
  --url <url>       base URL of the Riffle server (default ${defaultUrl ?? 'http://127.0.0.1:$PORT'})
  --site <id>       site id to send events for (default ${DEFAULT_SITE})
  --seed <text>     seed for reproducible visitors and paths (default: random, printed at start)
  --allow-remote    allow a non-loopback --url (by default only localhost / 127.0.0.0/8 / ::1)
  -h, --help        show this help

Exits with status 1 if no event was accepted.`;
}

const optionsSchema = z.object({
  rate: z.coerce.number().positive().max(MAX_RATE).default(DEFAULT_RATE),
  duration: z.coerce.number().positive().max(MAX_DURATION_S).default(DEFAULT_DURATION_S),
  url: z.url({ protocol: /^https?$/ }),
  site: z.string().regex(SITE_ID_PATTERN, 'must be a site id (a-z, 0-9, "_", "-")').default(DEFAULT_SITE),
  seed: z.string().min(1).max(200).optional(),
  'allow-remote': z.boolean().default(false),
});

/** Whether a URL hostname is this machine: localhost, *.localhost, 127.0.0.0/8, ::1 or ::ffff:127.x.x.x. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    // WHATWG URL parsing writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
    return host === '::1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  }
  return false;
}

function readArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      url: { type: 'string' },
      site: { type: 'string' },
      seed: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** Parses argv (without node and the script); `defaultUrl` is undefined when the configuration is invalid. */
export function parseTrafficArgs(argv: readonly string[], defaultUrl: string | undefined): ParsedArgs {
  let values: ReturnType<typeof readArgs>;
  try {
    values = readArgs(argv);
  } catch (error) {
    // parseArgs throws on unknown options and missing values; its message names the option.
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help === true) return { kind: 'help' };
  const url = values.url ?? defaultUrl;
  if (url === undefined) return { kind: 'error', message: 'no --url given and the configuration is invalid' };

  const result = optionsSchema.safeParse({ ...values, url });
  if (!result.success) {
    const message = result.error.issues
      .map((issue) => `--${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    return { kind: 'error', message };
  }
  const options = result.data;
  const base = new URL(options.url);
  if (!options['allow-remote'] && !isLoopbackHost(base.hostname)) {
    return {
      kind: 'error',
      message: `refusing to send traffic to ${base.host}: not a loopback address (pass --allow-remote to allow it)`,
    };
  }
  return {
    kind: 'ok',
    options: {
      rate: options.rate,
      durationS: options.duration,
      url: `${base.origin}${base.pathname}`.replace(/\/+$/, ''),
      site: options.site,
      seed: options.seed,
      allowRemote: options['allow-remote'],
    },
  };
}
