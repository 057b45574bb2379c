import { z } from 'zod';
import { SITE_ID_PATTERN } from '../events/schema';
import { fieldProblem, numericFieldProblem } from './fields';
import { MAX_PREDICATE_DEPTH, type Predicate, predicateDepth, predicateSchema } from './predicate';

/**
 * Window definitions (BRIEF §3): what the admin UI and the SQL compiler produce and the engine runs.
 * Parsing fills every default, so the output is self-contained and parsing it again is a no-op.
 */

export const WINDOW_TYPES = ['tumbling', 'sliding', 'stagger', 'session'] as const;
export type WindowType = (typeof WINDOW_TYPES)[number];
export type TimeDomain = 'ingest' | 'event';

const DAY_MS = 86_400_000;
/** Longest window, range or gap: a month keeps state and epoch arithmetic far from unsafe integers. */
export const MAX_SPAN_MS = 31 * DAY_MS;
export const MAX_GRACE_MS = 7 * DAY_MS;
/** Bounds of `resultsRetentionMs`: FINALs kept at least a minute, at most as long as the longest window. */
export const MIN_RESULTS_RETENTION_MS = 60_000;
export const MAX_RESULTS_RETENTION_MS = MAX_SPAN_MS;
/** Panes per sliding window (size / gcd(size, every)): each emitted window merges this many. */
export const MAX_SLIDING_STEPS = 3600;
export const DEFAULT_INGEST_GRACE_MS = 2_000;
export const DEFAULT_EVENT_GRACE_MS = 10_000;

const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const NAME_PATTERN = /^[a-z_][a-z0-9_]{0,63}$/;

const spanMs = z.number().int().min(1).max(MAX_SPAN_MS);

/** A string checked against the event fields, with a message that lists them. */
const fieldName = z.string().superRefine((name, ctx) => {
  const problem = fieldProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const numericField = z.string().superRefine((name, ctx) => {
  const problem = numericFieldProblem(name) ?? fieldProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timeBucketSchema = z.strictObject({
  field: z.enum(['ts', 'ingest_time']),
  floorMs: spanMs,
  as: z.string().regex(NAME_PATTERN, 'must match /^[a-z_][a-z0-9_]{0,63}$/'),
});
export type TimeBucket = z.output<typeof timeBucketSchema>;
export type GroupField = string | TimeBucket;

/** zod's union reports every branch; choosing the branch by the input's kind keeps issue paths precise. */
const groupFieldSchema = z.unknown().transform((value, ctx): GroupField => {
  const parsed = typeof value === 'string' ? fieldName.safeParse(value) : timeBucketSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const message =
      typeof value === 'string' || (typeof value === 'object' && value !== null)
        ? issue.message
        : 'must be a field name or { field: "ts", floorMs, as }';
    ctx.addIssue({ code: 'custom', message, path: issue.path });
  }
  return z.NEVER;
});

const aggregateWhere = { where: predicateSchema.optional() };
const aggregateName = { name: z.string().regex(NAME_PATTERN, 'must match /^[a-z_][a-z0-9_]{0,63}$/') };

export const aggregateSchema = z.discriminatedUnion('fn', [
  z.strictObject({
    ...aggregateName,
    fn: z.literal('count'),
    field: fieldName.optional(),
    ...aggregateWhere,
  }),
  z.strictObject({ ...aggregateName, fn: z.literal('count_distinct'), field: fieldName, ...aggregateWhere }),
  z.strictObject({
    ...aggregateName,
    fn: z.enum(['sum', 'avg', 'min', 'max']),
    field: numericField,
    ...aggregateWhere,
  }),
  z.strictObject({
    ...aggregateName,
    fn: z.literal('top_k'),
    field: fieldName,
    k: z.number().int().min(1).max(100),
    ...aggregateWhere,
  }),
  z.strictObject({
    ...aggregateName,
    fn: z.enum(['p50', 'p90', 'p99']),
    field: numericField,
    ...aggregateWhere,
  }),
  z.strictObject({
    ...aggregateName,
    fn: z.literal('active_visitors'),
    // Reads visitor, type and the event's time itself; declared so the issue names the field.
    field: z.undefined({ error: 'active_visitors takes no field (it reads visitor and type)' }).optional(),
    ...aggregateWhere,
  }),
]);
export type AggregateSpec = z.output<typeof aggregateSchema>;
export type AggregateFn = AggregateSpec['fn'];

const baseSchema = z.strictObject({
  id: z
    .string()
    .regex(ID_PATTERN, 'must be 1–64 characters of a–z, 0–9, "_" or "-", starting with a letter or digit'),
  version: z.number().int().min(1),
  name: z.string().min(1).max(120),
  /** null: every site; results are per site either way. */
  site: z.string().regex(SITE_ID_PATTERN, 'must be a site id').nullable().default(null),
  type: z.enum(WINDOW_TYPES),
  sizeMs: spanMs.optional(),
  everyMs: spanMs.optional(),
  rangeMs: spanMs.optional(),
  gapMs: spanMs.optional(),
  offsetMs: z.number().int().min(0).max(MAX_SPAN_MS).optional(),
  time: z.enum(['ingest', 'event']).default('ingest'),
  graceMs: z.number().int().min(0).max(MAX_GRACE_MS).optional(),
  groupBy: z.array(groupFieldSchema).max(8).default([]),
  where: predicateSchema.optional(),
  aggregates: z.array(aggregateSchema).min(1).max(20),
  /**
   * How long this definition's FINALs are kept (by window end) before they expire; absent: the
   * deployment default (RESULTS_RETENTION_HOURS). Windows stepping every second need far less than
   * the default: 48 h of 1 s steps would be 172,800 results per site and shard.
   */
  resultsRetentionMs: z.number().int().min(MIN_RESULTS_RETENTION_MS).max(MAX_RESULTS_RETENTION_MS).optional(),
});
type BaseOutput = z.output<typeof baseSchema>;

/** Which size fields each type takes; any other size field is a mistake worth reporting. */
const SIZE_FIELDS: Record<WindowType, ReadonlyArray<'sizeMs' | 'everyMs' | 'rangeMs' | 'gapMs'>> = {
  tumbling: ['sizeMs'],
  sliding: ['sizeMs', 'everyMs'],
  stagger: ['rangeMs'],
  session: ['gapMs'],
};

/**
 * Sliding windows keep state in panes of gcd(size, every) ms: `every` when size is a multiple of it (the
 * usual case); ksqlDB's hopping vector (size 5, advance 2) needs the general one.
 */
export function slidingPaneMs(sizeMs: number, everyMs: number): number {
  let [a, b] = [sizeMs, everyMs];
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function groupFieldName(field: GroupField): string {
  return typeof field === 'string' ? field : field.as;
}

function checkDepth(where: Predicate | undefined, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (where !== undefined && predicateDepth(where) > MAX_PREDICATE_DEPTH) {
    ctx.addIssue({ code: 'custom', path, message: `and/or nest at most ${MAX_PREDICATE_DEPTH} levels deep` });
  }
}

function checkSizes(d: BaseOutput, ctx: z.RefinementCtx): void {
  const wanted = SIZE_FIELDS[d.type];
  for (const key of ['sizeMs', 'everyMs', 'rangeMs', 'gapMs'] as const) {
    const given = d[key] !== undefined;
    if (wanted.includes(key) && !given) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required for ${d.type} windows` });
    } else if (!wanted.includes(key) && given) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} is not used by ${d.type} windows` });
    }
  }
  if (d.offsetMs !== undefined) {
    const unit = d.type === 'tumbling' ? d.sizeMs : d.type === 'sliding' ? d.everyMs : undefined;
    if (d.type === 'stagger' || d.type === 'session') {
      ctx.addIssue({
        code: 'custom',
        path: ['offsetMs'],
        message: `offsetMs is not used by ${d.type} windows`,
      });
    } else if (unit !== undefined && d.offsetMs >= unit) {
      const of = d.type === 'tumbling' ? 'sizeMs' : 'everyMs';
      ctx.addIssue({
        code: 'custom',
        path: ['offsetMs'],
        message: `offsetMs must be less than ${of} (${unit})`,
      });
    }
  }
  if (d.type === 'sliding' && d.sizeMs !== undefined && d.everyMs !== undefined) {
    const panes = d.sizeMs / slidingPaneMs(d.sizeMs, d.everyMs);
    if (d.everyMs > d.sizeMs) {
      ctx.addIssue({ code: 'custom', path: ['everyMs'], message: 'everyMs must not exceed sizeMs' });
    } else if (panes > MAX_SLIDING_STEPS) {
      ctx.addIssue({
        code: 'custom',
        path: ['everyMs'],
        message: `a window may span at most ${MAX_SLIDING_STEPS} panes of gcd(sizeMs, everyMs) ms (is ${panes}); use a sizeMs that is a multiple of everyMs`,
      });
    }
  }
}

function checkNames(d: BaseOutput, ctx: z.RefinementCtx): void {
  const groupNames = new Set<string>();
  d.groupBy.forEach((field, i) => {
    const name = groupFieldName(field);
    if (groupNames.has(name)) {
      ctx.addIssue({ code: 'custom', path: ['groupBy', i], message: `duplicate group field "${name}"` });
    }
    groupNames.add(name);
  });
  const aggNames = new Set<string>();
  d.aggregates.forEach((agg, i) => {
    if (aggNames.has(agg.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['aggregates', i, 'name'],
        message: `duplicate aggregate name "${agg.name}"`,
      });
    }
    aggNames.add(agg.name);
    checkDepth(agg.where, ['aggregates', i, 'where'], ctx);
  });
}

function defaultGraceMs(d: BaseOutput): number {
  if (d.type === 'session' && d.gapMs !== undefined) return d.gapMs;
  return d.time === 'event' ? DEFAULT_EVENT_GRACE_MS : DEFAULT_INGEST_GRACE_MS;
}

export const windowDefinitionSchema = baseSchema
  .superRefine((d, ctx) => {
    checkSizes(d, ctx);
    checkNames(d, ctx);
    checkDepth(d.where, ['where'], ctx);
  })
  .transform((d) => {
    const out = {
      ...d,
      graceMs: d.graceMs ?? defaultGraceMs(d),
      groupBy: d.type === 'session' && d.groupBy.length === 0 ? ['visitor'] : d.groupBy,
    };
    if (d.type === 'tumbling' || d.type === 'sliding') out.offsetMs = d.offsetMs ?? 0;
    // Keys given as undefined are dropped, so the output survives a JSON round trip unchanged.
    const record = out as Record<string, unknown>;
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
    return out;
  });

export type WindowDefinitionInput = z.input<typeof windowDefinitionSchema>;
export type WindowDefinition = z.output<typeof windowDefinitionSchema>;

/** Parses (throwing a ZodError whose issue paths name the fields) and returns the definition. */
export function defineWindow(input: WindowDefinitionInput | unknown): WindowDefinition {
  return windowDefinitionSchema.parse(input);
}
