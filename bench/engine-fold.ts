import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DeviceType, EnrichedEvent, SourceType } from '../lib/events/enriched';
import { BUILTIN_WINDOWS } from '../lib/windows/builtins';
import { defineWindow } from '../lib/windows/definition';
import { type EngineInput, WindowEngine } from '../lib/windows/engine';

/**
 * `node --import tsx bench/engine-fold.ts`: the window engine's fold on one core, no I/O (BRIEF §7:
 * ≥ 1 M events/s for count over tumbling windows).
 *  - engine_events_per_s: count over tumbling 1 min grouped by path;
 *  - engine_builtin_events_per_s: every event through all BUILTIN_WINDOWS, one engine each (and each
 *    built-in alone, engine_builtin_<id>_events_per_s).
 * Events are realistic enriched events (50 k visitors, 30 paths, referrer sources and domains, devices,
 * systems, countries, 10 % with a campaign; 55 % pageviews, 10 % leaves, 5 % custom events) with ingest
 * times advancing at --rate events/s, so windows open, close and emit as they would on a shard. The
 * engines are drained every --batch events, as the aggregator commits. Writes bench/results/engine.json
 * (merged into an existing file).
 */

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    'builtin-events': { type: 'string', default: '1000000' },
    /** Ingest-time events per second of simulated traffic (one shard). */
    rate: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '1000' },
  },
});
const EVENTS = Number(args.events);
const BUILTIN_EVENTS = Number(args['builtin-events']);
const RATE = Number(args.rate);
const BATCH = Number(args.batch);

const VISITORS = 50_000;
const PATHS = Array.from({ length: 30 }, (_, i) =>
  i === 0 ? '/' : `/${['products', 'blog', 'docs', 'pricing', 'about'][i % 5]}/${i}`,
);
const SOURCES: Array<[string, SourceType, string | undefined, string | undefined]> = [
  ['Direct / None', 'direct', undefined, undefined],
  ['Google', 'search', 'https://www.google.com/', 'google.com'],
  ['Twitter', 'social', 'https://t.co/x1', 't.co'],
  ['news.ycombinator.com', 'referral', 'https://news.ycombinator.com/', 'ycombinator.com'],
  ['DuckDuckGo', 'search', 'https://duckduckgo.com/', 'duckduckgo.com'],
  ['Newsletter', 'email', undefined, undefined],
];
const DEVICES: DeviceType[] = ['desktop', 'desktop', 'desktop', 'mobile', 'mobile', 'tablet'];
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge'];
const SYSTEMS = ['Windows', 'Windows', 'macOS', 'iOS', 'Android', 'Linux'];
const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'PL', 'IE', 'CA', 'AU'];
const CAMPAIGNS = ['spring_sale', 'newsletter_42', 'launch', 'retargeting'];
/** What the snippet sends (the leaves drive online_now) plus a few custom events (custom_events). */
const TYPES: Array<[type: string, share: number]> = [
  ['pageview', 0.55],
  ['click', 0.15],
  ['engagement', 0.15],
  ['leave', 0.1],
  ['add_to_cart', 0.03],
  ['signup', 0.02],
];

function pickType(r: number): string {
  let acc = 0;
  for (const [type, share] of TYPES) {
    acc += share;
    if (r < acc) return type;
  }
  return 'pageview';
}

/** Deterministic pseudo-random numbers, so every run folds the same stream. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function buildEvents(count: number): EnrichedEvent[] {
  const random = lcg(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const visitors = Array.from({ length: VISITORS }, (_, i) => `v${(i * 2654435761) >>> 0}`.padEnd(16, 'x'));
  return Array.from({ length: count }, (_, i) => {
    // Zipf-ish popularity: low indexes far more often.
    const path = PATHS[Math.floor(PATHS.length * random() ** 2)] ?? '/';
    const [source, sourceType, referrer, referrerDomain] = pick(SOURCES);
    const event: EnrichedEvent = {
      id: `e${i}`,
      site: 'demo',
      type: pickType(random()),
      ts: 0,
      url: `https://shop.example${path}`,
      host: 'shop.example',
      path,
      title: 'Riffle Coffee Co.',
      source,
      sourceType,
      browser: pick(BROWSERS),
      os: pick(SYSTEMS),
      device: pick(DEVICES),
      country: pick(COUNTRIES),
      visitor: visitors[Math.floor(VISITORS * random())] ?? 'v',
      screenWidth: 1440,
    };
    if (referrer !== undefined) event.referrer = referrer;
    if (referrerDomain !== undefined) event.referrerDomain = referrerDomain;
    if (random() < 0.1) event.utm_campaign = pick(CAMPAIGNS);
    return event;
  });
}

const START_MS = Date.UTC(2026, 0, 1);

function buildInputs(pool: EnrichedEvent[], count: number): EngineInput[] {
  const inputs: EngineInput[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const ingestMs = START_MS + Math.floor((i * 1000) / RATE);
    const event = pool[i % pool.length] as EnrichedEvent;
    inputs[i] = { kind: 'event', ingestMs, event };
  }
  return inputs;
}

/** Events per second folding `inputs` through `engines` (each input through every engine), drained per batch. */
function fold(engines: WindowEngine[], inputs: EngineInput[]): number {
  let finals = 0;
  const started = performance.now();
  for (let from = 0; from < inputs.length; from += BATCH) {
    const to = Math.min(inputs.length, from + BATCH);
    for (const engine of engines) {
      for (let i = from; i < to; i++) engine.apply(inputs[i] as EngineInput);
      finals += engine.drain().finals.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (finals < 0) console.log(finals); // keeps the drains observable
  return inputs.length / seconds;
}

const pool = buildEvents(200_000);
const tumbling = defineWindow({
  id: 'bench_tumbling',
  version: 1,
  name: 'pageviews by path per minute',
  type: 'tumbling',
  sizeMs: 60_000,
  groupBy: ['path'],
  aggregates: [{ name: 'events', fn: 'count' }],
});

const tumblingInputs = buildInputs(pool, EVENTS);
fold([new WindowEngine(tumbling)], tumblingInputs.slice(0, 200_000)); // warm-up
const tumblingRates = [0, 1, 2].map(() => fold([new WindowEngine(tumbling)], tumblingInputs));
const engineEventsPerS = Math.round(Math.max(...tumblingRates));
console.log(`engine_events_per_s=${engineEventsPerS}`);

const builtinInputs = buildInputs(pool, BUILTIN_EVENTS);
fold(
  BUILTIN_WINDOWS.map((def) => new WindowEngine(def)),
  builtinInputs.slice(0, 100_000),
);
const builtinRates = [0, 1].map(() =>
  fold(
    BUILTIN_WINDOWS.map((def) => new WindowEngine(def)),
    builtinInputs,
  ),
);
const builtinEventsPerS = Math.round(Math.max(...builtinRates));
console.log(`engine_builtin_events_per_s=${builtinEventsPerS}`);

// Each built-in alone, to see where the time goes.
const perDefinition: Record<string, number> = {};
for (const def of BUILTIN_WINDOWS) {
  perDefinition[def.id] = Math.round(fold([new WindowEngine(def)], builtinInputs));
  console.log(`engine_builtin_${def.id}_events_per_s=${perDefinition[def.id]}`);
}

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const resultsFile = `${resultsDir}engine.json`;
mkdirSync(resultsDir, { recursive: true });
const previous: Record<string, unknown> = existsSync(resultsFile)
  ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>)
  : {};
writeFileSync(
  resultsFile,
  `${JSON.stringify(
    {
      ...previous,
      engine_events_per_s: engineEventsPerS,
      engine_builtin_events_per_s: builtinEventsPerS,
      engine_events: EVENTS,
      engine_builtin_events: BUILTIN_EVENTS,
      engine_builtin_definitions: BUILTIN_WINDOWS.map((def) => def.id),
      engine_builtin_per_definition_events_per_s: perDefinition,
      simulated_rate_events_per_s: RATE,
      drain_every_events: BATCH,
      visitors: VISITORS,
      paths: PATHS.length,
      node: process.version,
      measured_at: new Date().toISOString(),
    },
    null,
    2,
  )}\n`,
);
