import { MAX_SPAN_MS, type TimeDomain, type WindowType } from '../windows/definition';
import type { AggregateCall, ColumnRef, GroupItem, Interval, Query, TimeExpr, WindowSpec } from './ast';
import { type Pos, SqlCompileError } from './errors';
import { defaultEveryMs, floorUnitName, renderInterval } from './intervals';
import { isTimeField, resolveColumn } from './names';
import type { Sources } from './sources';

/**
 * Which window a query asks for: its type, time, sizes and grouping. Tumbling windows come from the
 * GROUP BY's last STEP (else its last FLOOR); stagger and session windows from WINDOWED BY; sliding
 * windows from the `OVER` of the aggregates, which must all name one window.
 */

export interface Ctx {
  streams: string[];
  sources: Sources;
}

export type GroupEntry =
  | { kind: 'field'; field: string; pos: Pos }
  | { kind: 'bucket'; field: 'ts' | 'ingest_time'; floorMs: number; as?: string; pos: Pos; asPos?: Pos }
  /** The tumbling window's own STEP/FLOOR: it becomes a bucket only when the select list shows it. */
  | { kind: 'window'; field: 'ts' | 'ingest_time'; floorMs: number; pos: Pos };

export interface WindowPlan {
  type: WindowType;
  time: TimeDomain;
  sizes: { sizeMs?: number; everyMs?: number; rangeMs?: number; gapMs?: number };
  groups: GroupEntry[];
  /** How messages name the grouping: GROUP BY or PARTITION BY. */
  clause: 'GROUP BY' | 'PARTITION BY';
  /** A session without PARTITION BY: the definition partitions by visitor. */
  defaultPartition: boolean;
}

export function writtenName(ref: ColumnRef): string {
  return ref.parts.map((p) => p.value).join('.');
}

export function timeField(ref: ColumnRef, ctx: Ctx, what: string): 'ts' | 'ingest_time' {
  const field = resolveColumn(ref, ctx.streams);
  if (isTimeField(field)) return field;
  throw new SqlCompileError(
    `${what} takes a time column (ROWTIME or event_time), not ${writtenName(ref)}`,
    ref.pos,
  );
}

/** A window length: 1 ms … 31 days, checked here so the message names the clause. */
export function span(interval: Interval, what: string): number {
  if (interval.ms < 1) throw new SqlCompileError(`${what} must be longer than 0`, interval.pos);
  if (interval.ms > MAX_SPAN_MS) throw new SqlCompileError(`${what} must be at most 31 days`, interval.pos);
  return interval.ms;
}

function groupEntry(item: GroupItem, ctx: Ctx): GroupEntry {
  if (item.kind === 'column')
    return { kind: 'field', field: resolveColumn(item, ctx.streams), pos: item.pos };
  const what = item.fn === 'floor' ? 'FLOOR' : 'STEP';
  const field = timeField(item.column, ctx, what);
  return { kind: 'bucket', field, floorMs: span(item.interval, `the ${what} interval`), pos: item.pos };
}

export function planWindow(query: Query, ctx: Ctx): WindowPlan {
  const aggregates = query.select.flatMap((item) => (item.expr.kind === 'aggregate' ? [item.expr] : []));
  const over = aggregates.filter((a) => a.over !== undefined);
  if (over.length > 0 || query.windows.length > 0) return planSliding(query, aggregates, ctx);
  const clause = query.window;
  if (clause === undefined) {
    throw new SqlCompileError(
      'missing GROUP BY or WINDOWED BY: a streaming aggregate needs a window',
      query.windowPos,
      ['GROUP BY', 'WINDOWED BY', 'WINDOW'],
    );
  }
  if (clause.kind === 'windowed') return planSpec(clause.spec, ctx);
  const items = clause.items;
  let index = items.findLastIndex((i) => i.kind === 'time' && i.fn === 'step');
  if (index < 0) index = items.findLastIndex((i) => i.kind === 'time');
  const window = items[index];
  if (window === undefined || window.kind !== 'time') {
    throw new SqlCompileError(
      "GROUP BY needs a time window: add STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(clicks.ROWTIME TO MINUTE)",
      clause.pos,
    );
  }
  const what = window.fn === 'floor' ? 'FLOOR' : 'STEP';
  const field = timeField(window.column, ctx, what);
  const sizeMs = span(window.interval, `the ${what} interval`);
  ctx.sources.note(['type'], clause.pos);
  ctx.sources.note(['sizeMs'], window.interval.pos, `${what} interval`);
  ctx.sources.note(['time'], window.column.pos);
  const groups = items.map(
    (item, i): GroupEntry =>
      i === index ? { kind: 'window', field, floorMs: sizeMs, pos: window.pos } : groupEntry(item, ctx),
  );
  return {
    type: 'tumbling',
    time: field === 'ts' ? 'event' : 'ingest',
    sizes: { sizeMs },
    groups,
    clause: 'GROUP BY',
    defaultPartition: false,
  };
}

/** `note`: whether this spec's clauses are where the definition's issues point (the first use). */
function planSpec(spec: WindowSpec, ctx: Ctx, note = true): WindowPlan {
  const timeColumn = spec.orderBy === undefined ? 'ingest_time' : timeField(spec.orderBy, ctx, 'ORDER BY');
  const groups = (spec.partition ?? []).map((item) => groupEntry(item, ctx));
  const lengthWord = spec.kind === 'session' ? 'GAP' : 'RANGE';
  const length = span(spec.length, lengthWord);
  const sizeKey = spec.kind === 'sliding' ? 'sizeMs' : spec.kind === 'stagger' ? 'rangeMs' : 'gapMs';
  const sizes: WindowPlan['sizes'] = { [sizeKey]: length };
  if (spec.kind === 'sliding') {
    const every = spec.every === undefined ? defaultEveryMs(length) : span(spec.every, 'EVERY');
    if (every > length) {
      const message = `EVERY must not be longer than the RANGE (${renderInterval(length)})`;
      throw new SqlCompileError(message, spec.every?.pos ?? spec.pos);
    }
    sizes.everyMs = every;
  }
  if (note) {
    ctx.sources.note(['type'], spec.pos);
    ctx.sources.note(['time'], spec.orderBy?.pos ?? spec.pos);
    ctx.sources.note([sizeKey], spec.length.pos, lengthWord);
    if (spec.kind === 'sliding') ctx.sources.note(['everyMs'], spec.every?.pos ?? spec.length.pos, 'EVERY');
  }
  return {
    type: spec.kind,
    time: timeColumn === 'ts' ? 'event' : 'ingest',
    sizes,
    groups,
    clause: 'PARTITION BY',
    defaultPartition: spec.kind === 'session' && spec.partition === undefined,
  };
}

/** What makes two windows the same, positions aside. */
function signature(plan: WindowPlan): string {
  const groups = plan.groups.map((g) => (g.kind === 'field' ? g.field : [g.field, g.floorMs]));
  return JSON.stringify([plan.time, plan.sizes, groups]);
}

function planSliding(query: Query, aggregates: AggregateCall[], ctx: Ctx): WindowPlan {
  if (query.window !== undefined) {
    const what = query.window.kind === 'group' ? 'GROUP BY' : 'WINDOWED BY';
    throw new SqlCompileError(
      `${what} cannot be combined with OVER: a sliding window takes its grouping from its PARTITION BY`,
      query.window.pos,
    );
  }
  const declared = new Map<string, WindowSpec>();
  for (const { name, spec } of query.windows) {
    const key = name.quoted ? name.value : name.value.toLowerCase();
    if (declared.has(key)) throw new SqlCompileError(`window ${name.value} is declared twice`, name.pos);
    declared.set(key, spec);
  }
  let plan: WindowPlan | undefined;
  for (const agg of aggregates) {
    if (agg.over === undefined) {
      throw new SqlCompileError(
        `${agg.written}(…) needs OVER: in a sliding query every aggregate uses the window`,
        agg.pos,
      );
    }
    let spec = agg.over.spec;
    if (agg.over.name !== undefined) {
      const name = agg.over.name;
      spec = declared.get(name.quoted ? name.value : name.value.toLowerCase());
      if (spec === undefined) {
        const hint =
          declared.size === 0
            ? `declare it: WINDOW ${name.value} AS (…)`
            : `declared: ${[...declared.keys()].join(', ')}`;
        throw new SqlCompileError(`window ${name.value} is not declared; ${hint}`, name.pos);
      }
    }
    if (spec === undefined) continue;
    const next = planSpec(spec, ctx, plan === undefined);
    if (plan === undefined) plan = next;
    else if (signature(plan) !== signature(next)) {
      throw new SqlCompileError(
        'all aggregates must use the same window: a definition runs one window',
        agg.over.name?.pos ?? spec.pos,
      );
    }
  }
  if (plan === undefined) {
    // Only reachable without aggregates, which the select list check reports better.
    const name = query.windows[0]?.name;
    const message = `window ${name?.value} is declared but no aggregate uses it: write COUNT(*) OVER ${name?.value}`;
    throw new SqlCompileError(message, name?.pos ?? query.selectPos);
  }
  return plan;
}

export function describeTimeExpr(expr: TimeExpr, field: string): string {
  const column = field === 'ts' ? 'event_time' : 'ROWTIME';
  return expr.fn === 'floor'
    ? `FLOOR(${column} TO ${floorUnitName(expr.interval.ms)})`
    : `STEP(${column} BY ${renderInterval(expr.interval.ms)})`;
}
