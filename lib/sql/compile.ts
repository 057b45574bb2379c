import { ZodError } from 'zod';
import {
  defineWindow,
  type GroupField,
  MAX_GRACE_MS,
  MAX_RESULTS_RETENTION_MS,
  MIN_RESULTS_RETENTION_MS,
  type WindowDefinition,
  type WindowDefinitionInput,
} from '../windows/definition';
import type { AggregateCall, ColumnRef, Condition, GroupItem, Ident, Query, WindowSpec } from './ast';
import { toAggregates, toPredicate } from './compile-exprs';
import {
  type Ctx,
  describeTimeExpr,
  type GroupEntry,
  planWindow,
  timeField,
  type WindowPlan,
  writtenName,
} from './compile-window';
import { type Pos, SqlCompileError, type SqlError } from './errors';
import { intervalWords, renderInterval } from './intervals';
import { renderField, resolveColumn } from './names';
import { parseQuery } from './parser';
import { Sources } from './sources';

/**
 * SQL → window definition: parse, plan the window, bind the select list to the grouping, build the
 * definition's input and let `defineWindow` validate it, mapping its issues back to the SQL.
 */

export interface CompileOptions {
  id: string;
  /** Default: the PUMP's name, else the id. */
  name?: string;
  /** Default 1. */
  version?: number;
  /** Default null: every site. */
  site?: string | null;
}

export type CompileResult = { ok: true; definition: WindowDefinition } | { ok: false; error: SqlError };

const START: Pos = { line: 1, column: 1, text: '' };

export function compileSql(sql: string, options: CompileOptions): CompileResult {
  const sources = new Sources();
  try {
    const query = parseQuery(sql);
    const input = buildInput(query, options, { streams: query.streamNames, sources });
    return { ok: true, definition: defineWindow(input) };
  } catch (error) {
    if (error instanceof SqlCompileError) return { ok: false, error: error.toSqlError() };
    if (error instanceof ZodError) return { ok: false, error: fromIssue(error, sources) };
    throw error;
  }
}

function fromIssue(error: ZodError, sources: Sources): SqlError {
  const issue = error.issues[0];
  if (issue === undefined) return { message: error.message, line: 1, column: 1 };
  const source = sources.find(issue.path);
  const pos = source?.pos ?? START;
  const where = source === undefined ? `${issue.path.map(String).join('.')}: ` : '';
  const label = source?.label === undefined ? '' : `${source.label}: `;
  const sqlError: SqlError = {
    message: `${where}${label}${issue.message}`,
    line: pos.line,
    column: pos.column,
  };
  if (pos.text !== '') sqlError.token = pos.text;
  return sqlError;
}

function buildInput(query: Query, options: CompileOptions, ctx: Ctx): WindowDefinitionInput {
  const calls: { call: AggregateCall; alias: Ident | undefined }[] = [];
  for (const item of query.select) {
    if (item.expr.kind === 'aggregate') calls.push({ call: item.expr, alias: item.alias });
  }
  if (calls.length === 0) {
    throw new SqlCompileError(
      'a streaming query needs at least one aggregate, like COUNT(*)',
      query.selectPos,
    );
  }
  // Unknown columns are reported in reading order, before any clause-specific check.
  for (const column of columnsOf(query)) resolveColumn(column, ctx.streams);
  const plan = planWindow(query, ctx);
  const groupBy = bindGroups(query, plan, ctx);
  const input: WindowDefinitionInput = {
    id: options.id,
    version: options.version ?? 1,
    name: options.name ?? query.pumpName ?? options.id,
    site: options.site ?? null,
    type: plan.type,
    ...plan.sizes,
    time: plan.time,
    groupBy,
    aggregates: toAggregates(calls, ctx),
  };
  for (const key of ['id', 'version', 'name', 'site'] as const)
    ctx.sources.note([key], START, `options.${key}`);
  if (query.where !== undefined) input.where = toPredicate(query.where, ctx, ['where']);
  addOptions(query, plan, input, ctx);
  return input;
}

function addOptions(query: Query, plan: WindowPlan, input: WindowDefinitionInput, ctx: Ctx): void {
  const { offset, grace, retention } = query;
  if (offset !== undefined) {
    const unit =
      plan.type === 'tumbling' ? plan.sizes.sizeMs : plan.type === 'sliding' ? plan.sizes.everyMs : undefined;
    if (unit === undefined) {
      throw new SqlCompileError(
        `OFFSET applies to tumbling and sliding windows, not ${plan.type} windows`,
        offset.pos,
      );
    }
    if (offset.ms >= unit) {
      const what = plan.type === 'tumbling' ? 'the window size' : 'the EVERY step';
      throw new SqlCompileError(`OFFSET must be shorter than ${what} (${renderInterval(unit)})`, offset.pos);
    }
    input.offsetMs = offset.ms;
    ctx.sources.note(['offsetMs'], offset.pos, 'OFFSET');
  }
  if (grace !== undefined) {
    if (grace.ms > MAX_GRACE_MS) throw new SqlCompileError('GRACE must be at most 7 days', grace.pos);
    input.graceMs = grace.ms;
    ctx.sources.note(['graceMs'], grace.pos, 'GRACE');
  }
  if (retention !== undefined) {
    if (retention.ms < MIN_RESULTS_RETENTION_MS || retention.ms > MAX_RESULTS_RETENTION_MS) {
      const range = `${renderInterval(MIN_RESULTS_RETENTION_MS)} and ${renderInterval(MAX_RESULTS_RETENTION_MS)}`;
      throw new SqlCompileError(`RETENTION must be between ${range}`, retention.pos);
    }
    input.resultsRetentionMs = retention.ms;
    ctx.sources.note(['resultsRetentionMs'], retention.pos, 'RETENTION');
  }
}

/**
 * Matches the select list's non-aggregates to the grouping: a column must be grouped by; a STEP/FLOOR
 * names a time bucket (the next one of that time and size not yet shown, so its alias becomes the
 * bucket's `as`) or, in a tumbling query, the window itself, which then becomes a bucket too.
 */
function bindGroups(query: Query, plan: WindowPlan, ctx: Ctx): GroupField[] {
  const groups: GroupEntry[] = plan.groups.map((g) => ({ ...g }));
  const shown = new Set<number>();
  for (const { expr, alias } of query.select) {
    if (expr.kind === 'aggregate') continue;
    if (expr.kind === 'column') {
      const field = resolveColumn(expr, ctx.streams);
      const grouped = groups.some((g) => g.kind === 'field' && g.field === field);
      if (grouped || (plan.defaultPartition && field === 'visitor')) {
        const same = [field, writtenName(expr), renderField(field)].map((n) => n.toLowerCase());
        if (alias !== undefined && !same.includes(alias.value.toLowerCase())) {
          throw new SqlCompileError(
            `group column ${writtenName(expr)} cannot be renamed: results name it ${renderField(field)}`,
            alias.pos,
          );
        }
        continue;
      }
      // ROWTIME in a grouped select list is the result's time, which every result carries anyway.
      if (field === 'ingest_time') continue;
      const verb = plan.clause === 'GROUP BY' ? 'group' : 'partition';
      const message = `column ${writtenName(expr)} is not in ${plan.clause}: ${verb} by it or aggregate it`;
      throw new SqlCompileError(message, expr.pos);
    }
    const field = timeField(expr.column, ctx, expr.fn === 'floor' ? 'FLOOR' : 'STEP');
    const ms = expr.interval.ms;
    let index = groups.findIndex(
      (g, i) => g.kind === 'bucket' && !shown.has(i) && g.field === field && g.floorMs === ms,
    );
    if (index < 0)
      index = groups.findIndex((g) => g.kind === 'window' && g.field === field && g.floorMs === ms);
    const group = groups[index];
    if (group === undefined) {
      throw new SqlCompileError(`${describeTimeExpr(expr, field)} is not in ${plan.clause}`, expr.pos);
    }
    shown.add(index);
    groups[index] =
      alias === undefined
        ? { kind: 'bucket', field, floorMs: ms, pos: group.pos }
        : { kind: 'bucket', field, floorMs: ms, pos: group.pos, as: alias.value, asPos: alias.pos };
  }
  const out: GroupField[] = [];
  for (const g of groups) {
    if (g.kind === 'window') continue;
    const path = ['groupBy', out.length];
    ctx.sources.note(path, g.pos);
    if (g.kind === 'field') {
      out.push(g.field);
      continue;
    }
    const as = g.as ?? `${g.field === 'ts' ? 'event' : 'ingest'}_${intervalWords(g.floorMs)}`;
    if (g.asPos !== undefined) ctx.sources.note([...path, 'as'], g.asPos, `alias ${as}`);
    out.push({ field: g.field, floorMs: g.floorMs, as });
  }
  return out;
}

/** Every column the query mentions, in the order they are written. */
function columnsOf(query: Query): ColumnRef[] {
  const out: ColumnRef[] = [];
  const group = (item: GroupItem) => out.push(item.kind === 'column' ? item : item.column);
  const spec = (s: WindowSpec | undefined) => {
    s?.partition?.forEach(group);
    if (s?.orderBy !== undefined) out.push(s.orderBy);
  };
  const condition = (c: Condition | undefined): void => {
    if (c === undefined) return;
    switch (c.kind) {
      case 'and':
      case 'or':
        c.items.forEach(condition);
        break;
      case 'not':
        condition(c.item);
        break;
      default:
        out.push(c.column);
    }
  };
  for (const { expr } of query.select) {
    if (expr.kind !== 'aggregate') group(expr);
    else {
      if (expr.column !== undefined) out.push(expr.column);
      condition(expr.filter);
      spec(expr.over?.spec);
    }
  }
  condition(query.where);
  if (query.window?.kind === 'group') query.window.items.forEach(group);
  else spec(query.window?.spec);
  for (const w of query.windows) spec(w.spec);
  return out;
}
