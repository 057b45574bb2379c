import { MAX_SLIDING_STEPS, slidingPaneMs } from '../windows/definition';

/**
 * Interval units and literals. Values are exact decimals (`'1.5' SECOND`), converted with integer
 * arithmetic so that every whole number of ms renders and reads back without float drift.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Units of `INTERVAL 'n' <unit>` (singular or plural); MILLISECOND is ours, Kinesis stops at SECOND. */
const INTERVAL_UNITS = new Map<string, number>([
  ['millisecond', 1],
  ['second', SECOND],
  ['minute', MINUTE],
  ['hour', HOUR],
  ['day', DAY],
]);

/** `FLOOR(col TO <unit>)`: whole units only, as Kinesis. */
export const FLOOR_UNITS: ReadonlyMap<string, number> = new Map([
  ['second', SECOND],
  ['minute', MINUTE],
  ['hour', HOUR],
  ['day', DAY],
]);

export const INTERVAL_UNIT_NAMES = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'MILLISECOND'];
export const FLOOR_UNIT_NAMES = ['SECOND', 'MINUTE', 'HOUR', 'DAY'];

function singular(word: string): string {
  const lower = word.toLowerCase();
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

export function intervalUnitMs(word: string): number | undefined {
  return INTERVAL_UNITS.get(singular(word));
}

export function floorUnitMs(word: string): number | undefined {
  return FLOOR_UNITS.get(singular(word));
}

/**
 * `value` units in ms, or a reason it is not a whole, non-negative number of ms. `value` is the
 * literal as written: digits with an optional fraction.
 */
export function intervalMs(value: string, unitMs: number): number | string {
  const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(value);
  if (match === null) return `an interval is a non-negative number, like '5'; found '${value}'`;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const scaled = BigInt(whole + fraction) * BigInt(unitMs);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) return `'${value}' is not a whole number of milliseconds`;
  const ms = scaled / divisor;
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) return `'${value}' is too long`;
  return Number(ms);
}

/** `INTERVAL '5' MINUTE`: the largest unit that divides the span, else seconds with a fraction. */
export function renderInterval(ms: number): string {
  if (ms === 0) return "INTERVAL '0' SECOND";
  for (const [name, unit] of [
    ['DAY', DAY],
    ['HOUR', HOUR],
    ['MINUTE', MINUTE],
    ['SECOND', SECOND],
  ] as const) {
    if (ms >= unit && ms % unit === 0) return `INTERVAL '${ms / unit}' ${name}`;
  }
  const seconds = Math.floor(ms / SECOND);
  const fraction = String(ms % SECOND)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `INTERVAL '${seconds}.${fraction}' SECOND`;
}

/** The FLOOR unit of exactly `ms`, if there is one. */
export function floorUnitName(ms: number): string | undefined {
  for (const [name, unit] of FLOOR_UNITS) if (unit === ms) return name.toUpperCase();
  return undefined;
}

/** Words for default bucket names: 60000 → `minute`, 300000 → `5_minutes`, 1500 → `1500_ms`. */
export function intervalWords(ms: number): string {
  for (const [name, unit] of [
    ['day', DAY],
    ['hour', HOUR],
    ['minute', MINUTE],
    ['second', SECOND],
  ] as const) {
    if (ms === unit) return name;
    if (ms > unit && ms % unit === 0) return `${ms / unit}_${name}s`;
  }
  return `${ms}_ms`;
}

/** Ranges up to this long step every second by default. */
const FINE_STEP_LIMIT_MS = 10 * MINUTE;
/** Longer ranges step so that a window is at most this many steps. */
const MAX_DEFAULT_STEPS = 360;

/**
 * The step of a sliding window without EVERY: 1 s up to a 10-minute RANGE (the RANGE itself when it is
 * shorter than 1 s), else the whole number of seconds giving at most 360 steps. When the RANGE is not a
 * multiple of it, the step grows by whole seconds until the window's panes (RANGE / gcd) fit the
 * definition's limit, so a default never produces a definition `defineWindow` rejects.
 */
export function defaultEveryMs(rangeMs: number): number {
  if (rangeMs <= SECOND) return rangeMs;
  let every =
    rangeMs <= FINE_STEP_LIMIT_MS ? SECOND : Math.ceil(rangeMs / MAX_DEFAULT_STEPS / SECOND) * SECOND;
  while (every < rangeMs && rangeMs / slidingPaneMs(rangeMs, every) > MAX_SLIDING_STEPS) every += SECOND;
  return Math.min(every, rangeMs);
}
