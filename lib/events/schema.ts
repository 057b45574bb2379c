import { z } from 'zod';

/**
 * The collect API's input. Every field is bounded; unknown fields are dropped, never stored blindly.
 * The snippet sends one-letter keys (see SHORT_EVENT_KEYS) to stay small; the long form is the documented one.
 */

export const LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxEventsPerRequest: 100,
  maxUrlLength: 2048,
  maxStringLength: 512,
  maxTypeLength: 120,
  maxProps: 30,
  maxPropKeyLength: 64,
  maxTargetTextLength: 64,
  /** A client timestamp may lag the server by this much (offline queues, skewed clocks)… */
  maxTsPastMs: 30 * 24 * 3_600_000,
  /** …or run ahead of it by this much. Windows clamp further (BRIEF §3). */
  maxTsFutureMs: 24 * 3_600_000,
} as const;

export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const boundedString = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const httpUrl = z
  .string()
  .max(LIMITS.maxUrlLength, `must be at most ${LIMITS.maxUrlLength} characters`)
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an absolute http(s) URL');

const propValue = z.union([boundedString(LIMITS.maxStringLength), z.number().finite(), z.boolean()]);

const props = z
  .record(
    z
      .string()
      .min(1, 'prop names must not be empty')
      .max(LIMITS.maxPropKeyLength, `prop names must be at most ${LIMITS.maxPropKeyLength} characters`),
    propValue,
  )
  .refine((value) => Object.keys(value).length <= LIMITS.maxProps, `at most ${LIMITS.maxProps} props`);

export const targetSchema = z.object({
  selector: boundedString(LIMITS.maxStringLength).optional(),
  tag: boundedString(32).optional(),
  text: z
    .string()
    .transform((s) => s.trim().replace(/\s+/g, ' ').slice(0, LIMITS.maxTargetTextLength))
    .optional(),
  href: boundedString(LIMITS.maxUrlLength).optional(),
  outbound: z.boolean().optional(),
});

/**
 * One event in long form. Built once: zod schemas are costly to construct, and this runs for every event.
 * The timestamp's range depends on the server clock, so it is checked separately (tsProblem).
 */
export const eventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN, 'must be 8–64 characters of A–Z, a–z, 0–9, "_" or "-"'),
  type: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(LIMITS.maxTypeLength, `must be at most ${LIMITS.maxTypeLength} characters`),
  url: httpUrl,
  ts: z.number().int('must be an integer number of milliseconds').optional(),
  referrer: z.union([httpUrl, z.literal('')]).optional(),
  title: boundedString(LIMITS.maxStringLength).optional(),
  props: props.optional(),
  target: targetSchema.optional(),
  engagedMs: z.number().int().min(0).max(86_400_000).optional(),
  screenWidth: z.number().int().min(0).max(100_000).optional(),
});

/** Why a client timestamp is not plausible against the server clock, or undefined when it is. */
export function tsProblem(ts: number | undefined, nowMs: number): string | undefined {
  if (ts === undefined) return undefined;
  if (ts < nowMs - LIMITS.maxTsPastMs) return 'is more than 30 days in the past';
  if (ts > nowMs + LIMITS.maxTsFutureMs) return 'is more than 24 hours in the future';
  return undefined;
}

export type CollectEvent = z.infer<typeof eventSchema>;

/** One-letter keys used by the snippet → long names. */
export const SHORT_EVENT_KEYS = {
  i: 'id',
  n: 'type',
  u: 'url',
  d: 'ts',
  r: 'referrer',
  t: 'title',
  p: 'props',
  g: 'target',
  m: 'engagedMs',
  w: 'screenWidth',
} as const;

export const SHORT_TARGET_KEYS = { s: 'selector', a: 'tag', x: 'text', h: 'href', o: 'outbound' } as const;

function expandKeys(value: unknown, map: Record<string, string>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const long = map[key];
    // The long name wins when a client sends both.
    if (long !== undefined) {
      if (!(long in value)) out[long] = v;
    } else out[key] = v;
  }
  return out;
}

/** Accepts both key styles; returns the long form (still unvalidated). */
export function normalizeEvent(raw: unknown): unknown {
  const event = expandKeys(raw, SHORT_EVENT_KEYS);
  if (typeof event === 'object' && event !== null && 'target' in event) {
    const withTarget = event as Record<string, unknown>;
    withTarget['target'] = expandKeys(withTarget['target'], SHORT_TARGET_KEYS);
  }
  return event;
}
