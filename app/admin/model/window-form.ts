import { canonical } from '../../../lib/aggregation/canonical';
import {
  type AggregateFn,
  DEFAULT_EVENT_GRACE_MS,
  DEFAULT_INGEST_GRACE_MS,
  type GroupField,
  type TimeDomain,
  type WindowDefinition,
  type WindowType,
  windowDefinitionSchema,
} from '../../../lib/windows/definition';
import type { Predicate } from '../../../lib/windows/predicate';
import {
  EMPTY_FILTERS,
  type FilterState,
  filtersToPredicate,
  predicateToFilters,
  rowProblems,
  wherePathToRow,
} from './filters';
import { type Duration, durationToMs, msToDuration } from './units';

/**
 * The form editor's state and its two conversions: form → definition input (validated by the very zod
 * schema the API uses, so messages are the API's) and definition → form. Sizes of every type are kept while
 * the type changes; only the chosen type's sizes go into the definition.
 */

export const AGGREGATE_FNS: ReadonlyArray<{
  id: AggregateFn;
  label: string;
  field: 'none' | 'optional' | 'any' | 'number';
}> = [
  { id: 'count', label: 'count', field: 'optional' },
  { id: 'count_distinct', label: 'count distinct', field: 'any' },
  { id: 'sum', label: 'sum', field: 'number' },
  { id: 'avg', label: 'average', field: 'number' },
  { id: 'min', label: 'min', field: 'number' },
  { id: 'max', label: 'max', field: 'number' },
  { id: 'top_k', label: 'top k', field: 'any' },
  { id: 'p50', label: 'p50', field: 'number' },
  { id: 'p90', label: 'p90', field: 'number' },
  { id: 'p99', label: 'p99', field: 'number' },
  { id: 'active_visitors', label: 'active visitors', field: 'none' },
];

export function aggregateFieldUse(fn: AggregateFn): 'none' | 'optional' | 'any' | 'number' {
  return AGGREGATE_FNS.find((a) => a.id === fn)?.field ?? 'any';
}

export type GroupRow =
  | { kind: 'field'; field: string }
  | { kind: 'bucket'; field: 'ts' | 'ingest_time'; floor: Duration; as: string };

export interface AggregateRow {
  name: string;
  fn: AggregateFn;
  /** '' = none (count(*)). */
  field: string;
  /** top_k only. */
  k: string;
  /** The aggregate's own FILTER, kept as is (edited in SQL). */
  where?: Predicate;
}

export interface WindowForm {
  id: string;
  name: string;
  /** '' = every site. */
  site: string;
  type: WindowType;
  size: Duration;
  every: Duration;
  range: Duration;
  gap: Duration;
  /** '' = aligned to the epoch. */
  offset: Duration;
  time: TimeDomain;
  /** '' = the default grace. */
  grace: Duration;
  /** '' = the deployment's results retention. */
  retention: Duration;
  groupBy: GroupRow[];
  filters: FilterState;
  aggregates: AggregateRow[];
}

export function emptyForm(): WindowForm {
  return {
    id: '',
    name: '',
    site: '',
    type: 'tumbling',
    size: { value: '1', unit: 'min' },
    every: { value: '10', unit: 's' },
    range: { value: '1', unit: 'min' },
    gap: { value: '30', unit: 'min' },
    offset: { value: '', unit: 's' },
    time: 'ingest',
    grace: { value: '', unit: 's' },
    retention: { value: '', unit: 'h' },
    groupBy: [],
    filters: EMPTY_FILTERS,
    aggregates: [{ name: 'events', fn: 'count', field: '', k: '10' }],
  };
}

/** A window id from its name, as the API derives one: lower case, runs of other characters → "_". */
export function slugId(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

/** Errors keyed by the form's fields: `sizeMs`, `groupBy.1.as`, `aggregates.0.name`, `where.2.value`, `form`. */
export type FieldErrors = Record<string, string>;

const SIZE_KEYS: Record<WindowType, ReadonlyArray<'size' | 'every' | 'range' | 'gap'>> = {
  tumbling: ['size'],
  sliding: ['size', 'every'],
  stagger: ['range'],
  session: ['gap'],
};

const DURATION_FIELD = {
  size: 'sizeMs',
  every: 'everyMs',
  range: 'rangeMs',
  gap: 'gapMs',
  offset: 'offsetMs',
  grace: 'graceMs',
  retention: 'resultsRetentionMs',
} as const;

function addError(errors: FieldErrors, key: string, message: string): void {
  if (errors[key] === undefined) errors[key] = message;
}

/**
 * The definition input of a form (what `POST /api/admin/windows {definition}` takes), and the problems found
 * reading its texts (numbers, durations) before the schema sees it.
 */
export function formToInput(
  form: WindowForm,
  version = 1,
): { input: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const ms = (key: keyof typeof DURATION_FIELD, duration: Duration): number | undefined => {
    const parsed = durationToMs(duration);
    if (parsed.ok) return parsed.ms;
    addError(errors, DURATION_FIELD[key], parsed.message);
    return undefined;
  };
  const input: Record<string, unknown> = {
    id: form.id.trim(),
    version,
    name: form.name.trim(),
    site: form.site === '' ? null : form.site,
    type: form.type,
    time: form.time,
  };
  for (const key of SIZE_KEYS[form.type]) {
    const value = ms(key, form[key]);
    if (value !== undefined) input[DURATION_FIELD[key]] = value;
  }
  if (form.type === 'tumbling' || form.type === 'sliding') {
    const offset = ms('offset', form.offset);
    if (offset !== undefined) input['offsetMs'] = offset;
  }
  const grace = ms('grace', form.grace);
  if (grace !== undefined) input['graceMs'] = grace;
  const retention = ms('retention', form.retention);
  if (retention !== undefined) input['resultsRetentionMs'] = retention;

  input['groupBy'] = form.groupBy.map((row, i): GroupField => {
    if (row.kind === 'field') return row.field;
    const floorMs = durationToMs(row.floor);
    if (!floorMs.ok) addError(errors, `groupBy.${i}.floorMs`, floorMs.message);
    return { field: row.field, floorMs: floorMs.ok ? (floorMs.ms ?? 0) : 0, as: row.as.trim() };
  });

  const where = filtersToPredicate(form.filters);
  if (where !== undefined) input['where'] = where;
  for (const [row, problem] of rowProblems(form.filters)) addError(errors, `where.${row}.value`, problem);

  input['aggregates'] = form.aggregates.map((row, i) => {
    const aggregate: Record<string, unknown> = { name: row.name.trim(), fn: row.fn };
    const use = aggregateFieldUse(row.fn);
    if (use !== 'none' && (use !== 'optional' || row.field !== '')) aggregate['field'] = row.field;
    if (row.fn === 'top_k') {
      const k = Number(row.k.trim());
      if (row.k.trim() === '' || !Number.isFinite(k)) addError(errors, `aggregates.${i}.k`, 'enter a number');
      aggregate['k'] = Number.isFinite(k) ? k : 0;
    }
    if (row.where !== undefined) aggregate['where'] = row.where;
    return aggregate;
  });
  return { input, errors };
}

/** The form key of a schema issue path (`['aggregates', 0, 'name']` → `aggregates.0.name`). */
export function errorKey(form: WindowForm, path: readonly PropertyKey[]): string {
  const parts = path.map((p) => (typeof p === 'number' ? p : String(p)));
  const [head, ...rest] = parts;
  if (head === undefined) return 'form';
  if (head === 'where') {
    const row = wherePathToRow(form.filters, parts);
    if (!row) return 'where';
    return row.part === '' ? `where.${row.row}` : `where.${row.row}.${row.part}`;
  }
  if (head === 'groupBy' && typeof rest[0] === 'number') {
    const part = rest[1];
    return part === 'as' || part === 'floorMs' || part === 'field'
      ? `groupBy.${rest[0]}.${part}`
      : `groupBy.${rest[0]}`;
  }
  if (head === 'aggregates' && typeof rest[0] === 'number') {
    const part = rest[1];
    return part === undefined ? `aggregates.${rest[0]}` : `aggregates.${rest[0]}.${part}`;
  }
  return String(head);
}

/** An API error's `field` ("aggregates.0.name", "where.and.1.value") as an issue path. */
export function fieldToPath(field: string): (string | number)[] {
  return field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export type FormValidation =
  | { ok: true; definition: WindowDefinition; errors: FieldErrors }
  | { ok: false; errors: FieldErrors };

/** Validates the form with the definition schema; every issue lands on its field (first one per field). */
export function validateForm(form: WindowForm, version = 1): FormValidation {
  const { input, errors } = formToInput(form, version);
  const parsed = windowDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) addError(errors, errorKey(form, issue.path), issue.message);
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, definition: parsed.data, errors };
}

function defaultGraceMs(d: WindowDefinition): number {
  if (d.type === 'session' && d.gapMs !== undefined) return d.gapMs;
  return d.time === 'event' ? DEFAULT_EVENT_GRACE_MS : DEFAULT_INGEST_GRACE_MS;
}

/** The form showing a definition; the sizes of the other types keep their defaults. */
export function definitionToForm(d: WindowDefinition): WindowForm {
  const base = emptyForm();
  return {
    id: d.id,
    name: d.name,
    site: d.site ?? '',
    type: d.type,
    size: d.sizeMs === undefined ? base.size : msToDuration(d.sizeMs),
    every: d.everyMs === undefined ? base.every : msToDuration(d.everyMs),
    range: d.rangeMs === undefined ? base.range : msToDuration(d.rangeMs),
    gap: d.gapMs === undefined ? base.gap : msToDuration(d.gapMs),
    offset: d.offsetMs === undefined || d.offsetMs === 0 ? base.offset : msToDuration(d.offsetMs),
    time: d.time,
    grace: d.graceMs === undefined || d.graceMs === defaultGraceMs(d) ? base.grace : msToDuration(d.graceMs),
    retention: d.resultsRetentionMs === undefined ? base.retention : msToDuration(d.resultsRetentionMs, 'h'),
    groupBy: d.groupBy.map(
      (g): GroupRow =>
        typeof g === 'string'
          ? { kind: 'field', field: g }
          : { kind: 'bucket', field: g.field, floor: msToDuration(g.floorMs, 'min'), as: g.as },
    ),
    filters: predicateToFilters(d.where),
    aggregates: d.aggregates.map((a) => {
      const row: AggregateRow = {
        name: a.name,
        fn: a.fn,
        field: 'field' in a && typeof a.field === 'string' ? a.field : '',
        k: a.fn === 'top_k' ? String(a.k) : '10',
      };
      if (a.where !== undefined) row.where = a.where;
      return row;
    }),
  };
}

/** What differs in meaning between two definitions (name and version aside): an edit with any is a new version. */
export function changesSemantics(before: WindowDefinition, after: WindowDefinition): boolean {
  const strip = ({ name: _n, version: _v, ...rest }: WindowDefinition) => canonical(rest);
  return strip(before) !== strip(after);
}
