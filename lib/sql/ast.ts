import type { Pos } from './errors';

/**
 * The parsed query, before names are resolved: columns stay as written (the stream alias that may
 * qualify them is only known after FROM), so resolving and checking happen in one place (compile.ts).
 */

export interface Ident {
  /** Unquoted: as written; quoted: unescaped. */
  value: string;
  quoted: boolean;
  pos: Pos;
}

/** `a`, `clicks.ROWTIME`, `props.plan`, `"props.plan"`: the dotted parts as written. */
export interface ColumnRef {
  kind: 'column';
  parts: Ident[];
  pos: Pos;
}

/** An interval in ms, checked to be a whole, non-negative number of ms. */
export interface Interval {
  ms: number;
  pos: Pos;
}

/** `FLOOR(col TO unit)` or `STEP(col BY INTERVAL …)`: a time window or a time bucket. */
export interface TimeExpr {
  kind: 'time';
  fn: 'floor' | 'step';
  column: ColumnRef;
  interval: Interval;
  pos: Pos;
}

export type GroupItem = ColumnRef | TimeExpr;

export type Literal = string | number | boolean;

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[]; pos: Pos }
  | { kind: 'not'; item: Condition; pos: Pos }
  | { kind: 'compare'; column: ColumnRef; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal; pos: Pos }
  | { kind: 'in'; column: ColumnRef; negated: boolean; values: Literal[]; pos: Pos }
  /** `value` without the wildcard; `prefix` false: a pattern without wildcards (an equality). */
  | { kind: 'like'; column: ColumnRef; negated: boolean; value: string; prefix: boolean; pos: Pos }
  | { kind: 'null'; column: ColumnRef; negated: boolean; pos: Pos };

export type WindowSpecKind = 'sliding' | 'stagger' | 'session';

/** The inside of `WINDOW w AS (…)`, `OVER (…)`, `STAGGER (…)` and `SESSION (…)`. */
export interface WindowSpec {
  kind: WindowSpecKind;
  partition: GroupItem[] | undefined;
  orderBy: ColumnRef | undefined;
  /** RANGE (sliding, stagger) or GAP (session). */
  length: Interval;
  every: Interval | undefined;
  pos: Pos;
}

export type AggregateName =
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'top_k'
  | 'p50'
  | 'p90'
  | 'p99'
  | 'active_visitors';

export interface AggregateCall {
  kind: 'aggregate';
  fn: AggregateName;
  /** As written, for messages: `COUNT`, `TOP_K_ITEMS`. */
  written: string;
  /** Absent for COUNT(*) and ACTIVE_VISITORS(). */
  column: ColumnRef | undefined;
  k: { value: number; pos: Pos } | undefined;
  filter: Condition | undefined;
  over: { name: Ident; spec: undefined } | { name: undefined; spec: WindowSpec } | undefined;
  pos: Pos;
}

export interface SelectItem {
  expr: ColumnRef | TimeExpr | AggregateCall;
  alias: Ident | undefined;
  pos: Pos;
}

export type WindowClause =
  | { kind: 'group'; items: GroupItem[]; pos: Pos }
  | { kind: 'windowed'; spec: WindowSpec; pos: Pos };

export interface Query {
  /** From the `CREATE OR REPLACE PUMP` wrapper. */
  pumpName: string | undefined;
  select: SelectItem[];
  selectPos: Pos;
  /** The alias after `FROM clicks`, if any; the stream's own name always qualifies too. */
  streamNames: string[];
  where: Condition | undefined;
  window: WindowClause | undefined;
  /** Where GROUP BY / WINDOWED BY would go: the position of "missing window" errors. */
  windowPos: Pos;
  windows: { name: Ident; spec: WindowSpec }[];
  offset: Interval | undefined;
  grace: Interval | undefined;
  retention: Interval | undefined;
}
