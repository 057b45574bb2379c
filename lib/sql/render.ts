import {
  type AggregateSpec,
  DEFAULT_EVENT_GRACE_MS,
  DEFAULT_INGEST_GRACE_MS,
  type GroupField,
  type TimeBucket,
  type WindowDefinition,
} from '../windows/definition';
import type { Predicate, PredicateLeaf, PredicateValue } from '../windows/predicate';
import { SqlRenderError } from './errors';
import { defaultEveryMs, floorUnitName, renderInterval } from './intervals';
import { renderField, renderIdent } from './names';

/**
 * Definition → SQL in the canonical form: one clause per line, every aggregate and bucket named with
 * AS, defaults (grace, offset 0, the default EVERY) left out. `compileSql(toSql(d))` gives `d` back.
 * id, version, name and site are not SQL: they travel as `compileSql`'s options.
 */

/** The name of the sliding window in rendered SQL. */
const WINDOW_NAME = 'w';

export function toSql(d: WindowDefinition): string {
  const over = d.type === 'sliding' ? ` OVER ${WINDOW_NAME}` : '';
  const shown = [
    ...d.groupBy.map((g) =>
      typeof g === 'string' ? renderField(g) : `${renderBucket(g)} AS ${renderIdent(g.as)}`,
    ),
    ...d.aggregates.map((a, i) => `${renderAggregate(a, i)}${over} AS ${renderIdent(a.name)}`),
  ];
  const lines = [`SELECT STREAM ${shown.join(', ')}`, 'FROM clicks'];
  if (d.where !== undefined) lines.push(`WHERE ${renderPredicate(d.where, false)}`);
  lines.push(renderWindow(d));
  if (d.offsetMs !== undefined && d.offsetMs !== 0) lines.push(`OFFSET ${renderInterval(d.offsetMs)}`);
  if (d.graceMs !== defaultGraceMs(d)) lines.push(`GRACE ${renderInterval(d.graceMs)}`);
  if (d.resultsRetentionMs !== undefined) lines.push(`RETENTION ${renderInterval(d.resultsRetentionMs)}`);
  return `${lines.join('\n')};`;
}

/** Mirrors the definition's default, so a rendered query states only what was chosen. */
function defaultGraceMs(d: WindowDefinition): number {
  if (d.type === 'session' && d.gapMs !== undefined) return d.gapMs;
  return d.time === 'event' ? DEFAULT_EVENT_GRACE_MS : DEFAULT_INGEST_GRACE_MS;
}

function size(d: WindowDefinition, key: 'sizeMs' | 'everyMs' | 'rangeMs' | 'gapMs'): number {
  const value = d[key];
  if (value === undefined) throw new SqlRenderError(`${key} is missing for a ${d.type} window`, [key]);
  return value;
}

function timeColumn(d: WindowDefinition): string {
  return renderField(d.time === 'event' ? 'ts' : 'ingest_time');
}

function renderWindow(d: WindowDefinition): string {
  const groups = d.groupBy.map(renderGroup);
  if (d.type === 'tumbling') {
    const step = `STEP(clicks.${timeColumn(d)} BY ${renderInterval(size(d, 'sizeMs'))})`;
    return `GROUP BY ${[...groups, step].join(', ')}`;
  }
  const parts: string[] = [];
  if (groups.length > 0) parts.push(`PARTITION BY ${groups.join(', ')}`);
  // Ingest time is every window's default; event time needs saying.
  if (d.time === 'event') parts.push(`ORDER BY ${timeColumn(d)}`);
  if (d.type === 'sliding') {
    const sizeMs = size(d, 'sizeMs');
    const everyMs = size(d, 'everyMs');
    parts.push(`RANGE ${renderInterval(sizeMs)} PRECEDING`);
    if (everyMs !== defaultEveryMs(sizeMs)) parts.push(`EVERY ${renderInterval(everyMs)}`);
    return `WINDOW ${WINDOW_NAME} AS (${parts.join(' ')})`;
  }
  if (d.type === 'stagger') {
    parts.push(`RANGE ${renderInterval(size(d, 'rangeMs'))}`);
    return `WINDOWED BY STAGGER (${parts.join(' ')})`;
  }
  parts.push(`GAP ${renderInterval(size(d, 'gapMs'))}`);
  return `WINDOWED BY SESSION (${parts.join(' ')})`;
}

function renderGroup(g: GroupField): string {
  return typeof g === 'string' ? renderField(g) : renderBucket(g);
}

/** FLOOR where the bucket is one whole unit, STEP otherwise (both read back as the same bucket). */
function renderBucket(b: TimeBucket): string {
  const unit = floorUnitName(b.floorMs);
  const column = renderField(b.field);
  return unit === undefined
    ? `STEP(${column} BY ${renderInterval(b.floorMs)})`
    : `FLOOR(${column} TO ${unit})`;
}

function renderAggregate(a: AggregateSpec, i: number): string {
  const filter = a.where === undefined ? '' : ` FILTER (WHERE ${renderPredicate(a.where, false)})`;
  return `${renderCall(a, i)}${filter}`;
}

function renderCall(a: AggregateSpec, i: number): string {
  switch (a.fn) {
    case 'count':
      return a.field === undefined ? 'COUNT(*)' : `COUNT(${renderField(a.field)})`;
    case 'count_distinct':
      return `COUNT(DISTINCT ${renderField(a.field)})`;
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
    case 'p50':
    case 'p90':
    case 'p99':
      return `${a.fn.toUpperCase()}(${renderField(a.field)})`;
    case 'top_k':
      return `TOP_K_ITEMS(${renderField(a.field)}, ${a.k})`;
    case 'active_visitors':
      return 'ACTIVE_VISITORS()';
    default: {
      // Reached only by an aggregate added to lib/windows without a SQL spelling here.
      const fn = (a as { fn: string }).fn;
      throw new SqlRenderError(`aggregate ${fn} has no SQL spelling`, ['aggregates', i, 'fn']);
    }
  }
}

/**
 * `nested`: inside another and/or, so a combinator needs parentheses; they also keep explicit nesting
 * (an `and` inside an `and`) as written, which the parser then reads back as the same tree. A
 * combinator of one item has no SQL form: it renders as that item (same meaning).
 */
export function renderPredicate(p: Predicate, nested: boolean): string {
  if ('and' in p || 'or' in p) {
    const [word, items] = 'and' in p ? ['AND', p.and] : ['OR', p.or];
    const only = items[0];
    if (items.length === 1 && only !== undefined) return renderPredicate(only, nested);
    const text = items.map((item) => renderPredicate(item, true)).join(` ${word} `);
    return nested ? `(${text})` : text;
  }
  return renderLeaf(p);
}

function renderLeaf(leaf: PredicateLeaf): string {
  const column = renderField(leaf.field);
  if (leaf.op === 'exists') return `${column} ${leaf.value === false ? 'IS NULL' : 'IS NOT NULL'}`;
  const { value } = leaf;
  if (leaf.op === 'in' || leaf.op === 'not_in') {
    const list = (Array.isArray(value) ? value : [value]).map(renderLiteral).join(', ');
    return `${column} ${leaf.op === 'in' ? 'IN' : 'NOT IN'} (${list})`;
  }
  if (Array.isArray(value)) throw new SqlRenderError(`"${leaf.op}" takes one value`, ['where']);
  if (leaf.op === 'prefix') return renderLike(column, String(value));
  return `${column} ${leaf.op === '!=' ? '<>' : leaf.op} ${renderLiteral(value)}`;
}

/** Wildcards and the escape character in the prefix are escaped, so the pattern matches them as text. */
function renderLike(column: string, prefix: string): string {
  if (!/[%_\\]/.test(prefix)) return `${column} LIKE ${renderLiteral(`${prefix}%`)}`;
  const escaped = prefix.replace(/[%_\\]/g, (ch) => `\\${ch}`);
  return `${column} LIKE ${renderLiteral(`${escaped}%`)} ESCAPE '\\'`;
}

export function renderLiteral(value: PredicateValue): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}
