import { EVENT_FIELDS, isPropsField, NUMERIC_FIELDS } from '../windows/fields';
import type { ColumnRef } from './ast';
import { SqlCompileError } from './errors';

/**
 * Names shared by the parser and the renderer: reserved words, columns ↔ definition fields, intervals.
 */

/** Words that cannot be a bare column or alias (quote them: `"range"`). Function and unit names stay free. */
// biome-ignore format: a word list reads best packed
export const RESERVED = new Set([
  'select', 'stream', 'from', 'where', 'group', 'by', 'windowed', 'window', 'as', 'and', 'or', 'not',
  'in', 'like', 'escape', 'is', 'null', 'true', 'false', 'over', 'filter', 'distinct', 'partition',
  'order', 'range', 'rows', 'preceding', 'every', 'gap', 'interval', 'offset', 'grace', 'retention',
  'emit', 'having', 'create', 'replace', 'pump', 'insert', 'into', 'stagger', 'session', 'to', 'limit',
  'union', 'join', 'on',
]);

export const STREAMS = ['clicks', 'SOURCE_SQL_STREAM_001'] as const;

/** SQL spellings of the two time columns (the definition's `ts` and `ingest_time`). */
export const EVENT_TIME = 'event_time';
export const ROWTIME = 'ROWTIME';

const ALIASES = new Map<string, string>([
  ['event_time', 'ts'],
  ['ts', 'ts'],
  ['rowtime', 'ingest_time'],
  ['ingest_time', 'ingest_time'],
  // Kinesis's name for the stream's arrival time, which is what our ingest time is.
  ['approximate_arrival_time', 'ingest_time'],
]);

function knownByLowercase(): Map<string, string> {
  const map = new Map<string, string>();
  for (const field of EVENT_FIELDS) map.set(field.toLowerCase(), field);
  for (const [alias, field] of ALIASES) map.set(alias, field);
  return map;
}
const KNOWN = knownByLowercase();

/** The column names as a user writes them, for "columns are: …" messages. */
export function columnList(): string {
  return [...EVENT_FIELDS.map(renderField), 'props.<name>'].join(', ');
}

/**
 * The definition field a column names. A leading part naming the stream (or its alias) is a
 * qualifier; event fields match case-insensitively (Kinesis habits: `"PATH"`); a prop keeps its case,
 * since prop keys are the site's own data.
 */
export function resolveColumn(ref: ColumnRef, streamNames: readonly string[]): string {
  let parts = ref.parts;
  const first = parts[0];
  if (parts.length > 1 && first !== undefined) {
    const lower = first.value.toLowerCase();
    if (streamNames.some((s) => s.toLowerCase() === lower)) parts = parts.slice(1);
  }
  const written = parts.map((p) => p.value).join('.');
  const lower = written.toLowerCase();
  const known = KNOWN.get(lower);
  if (known !== undefined) return known;
  if (lower.startsWith('props.')) {
    const field = `props.${written.slice('props.'.length)}`;
    if (isPropsField(field)) return field;
  }
  throw new SqlCompileError(`unknown column ${written}; columns are: ${columnList()}`, ref.pos);
}

export function isNumericField(field: string): boolean {
  return NUMERIC_FIELDS.includes(field) || isPropsField(field);
}

export function numericColumnList(): string {
  return [...NUMERIC_FIELDS.map(renderField), 'props.<name>'].join(', ');
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** An identifier as SQL: bare when it reads back as itself, else "quoted". */
export function renderIdent(name: string): string {
  if (SIMPLE_NAME.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** A definition field as a column. */
export function renderField(field: string): string {
  if (field === 'ts') return EVENT_TIME;
  if (field === 'ingest_time') return ROWTIME;
  if (field.startsWith('props.')) {
    const prop = field.slice('props.'.length);
    // After a dot any word is a name (keywords too), so only non-words need the quoted form.
    return SIMPLE_NAME.test(prop) ? field : renderIdent(field);
  }
  return field;
}

export function isTimeField(field: string): field is 'ts' | 'ingest_time' {
  return field === 'ts' || field === 'ingest_time';
}

/** The default name of an aggregate or bucket part: `engagedMs` → `engaged_ms`, `props.plan` → `props_plan`. */
export function snakeName(field: string): string {
  const base = field === 'ts' ? EVENT_TIME : field;
  return base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}
