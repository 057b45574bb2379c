import type {
  ColumnRef,
  Condition,
  GroupItem,
  Ident,
  Interval,
  Literal,
  TimeExpr,
  WindowSpec,
  WindowSpecKind,
} from './ast';
import type { Cursor } from './cursor';
import { SqlCompileError } from './errors';
import { FLOOR_UNIT_NAMES, floorUnitMs, INTERVAL_UNIT_NAMES, intervalMs, intervalUnitMs } from './intervals';
import type { Token } from './lexer';

/** Expressions: names, literals, intervals, FLOOR/STEP, and WHERE / FILTER conditions. */

export function parseIdent(cur: Cursor, what: string): Ident {
  if (!cur.isName()) cur.fail([what]);
  const token = cur.next();
  return { value: token.value, quoted: token.kind === 'quoted', pos: token };
}

export function parseColumn(cur: Cursor): ColumnRef {
  const first = parseIdent(cur, 'a column');
  const parts = [first];
  while (cur.acceptSymbol('.')) {
    // After a dot every word is a name, keywords included: `props.order`.
    const token = cur.peek();
    if (token.kind !== 'word' && token.kind !== 'quoted') cur.fail(['a column name after "."']);
    cur.next();
    parts.push({ value: token.value, quoted: token.kind === 'quoted', pos: token });
  }
  return { kind: 'column', parts, pos: first.pos };
}

/** `'abc'`, `12.5`, `-3`, `TRUE`, `FALSE`. */
export function parseLiteral(cur: Cursor): Literal {
  const token = cur.peek();
  if (token.kind === 'string') return cur.next().value;
  if (token.kind === 'number') return Number(cur.next().value);
  if (cur.isSymbol('-') && cur.peek(1).kind === 'number') {
    cur.next();
    // `- 0` stays 0: definitions never hold -0, and SQL has no way to tell them apart.
    return 0 - Number(cur.next().value);
  }
  if (cur.acceptWord('true')) return true;
  if (cur.acceptWord('false')) return false;
  if (cur.isWord('null')) cur.failHere('NULL is not a value here: write IS NULL or IS NOT NULL');
  return cur.fail(['a string', 'a number', 'TRUE', 'FALSE']);
}

/** `INTERVAL '5' MINUTE` (the number may also be bare: `INTERVAL 5 MINUTES`). */
export function parseInterval(cur: Cursor): Interval {
  const start = cur.expectWord('interval');
  const value = cur.peek();
  if (value.kind !== 'string' && value.kind !== 'number') cur.fail(["a quoted number like '5'"]);
  cur.next();
  const unit = cur.peek();
  const unitMs = unit.kind === 'word' ? intervalUnitMs(unit.value) : undefined;
  if (unitMs === undefined) cur.fail(INTERVAL_UNIT_NAMES);
  cur.next();
  const ms = intervalMs(value.value, unitMs);
  if (typeof ms === 'string') throw new SqlCompileError(ms, value);
  return { ms, pos: start };
}

/** `FLOOR(col TO MINUTE)` / `STEP(col BY INTERVAL '5' MINUTE)`; the cursor is on the function name. */
export function parseTimeExpr(cur: Cursor): TimeExpr {
  const name = cur.next();
  const fn = name.value.toLowerCase() === 'floor' ? 'floor' : 'step';
  cur.expectSymbol('(');
  const column = parseColumn(cur);
  let interval: Interval;
  if (fn === 'floor') {
    cur.expectWord('to');
    const unit = cur.peek();
    const ms = unit.kind === 'word' ? floorUnitMs(unit.value) : undefined;
    if (ms === undefined) cur.fail(FLOOR_UNIT_NAMES);
    interval = { ms, pos: cur.next() };
  } else {
    cur.expectWord('by');
    interval = parseInterval(cur);
  }
  cur.expectSymbol(')');
  return { kind: 'time', fn, column, interval, pos: name };
}

export function isTimeFunction(cur: Cursor): boolean {
  return (cur.isWord('floor') || cur.isWord('step')) && cur.isSymbol('(', 1);
}

export function parseGroupItem(cur: Cursor): GroupItem {
  return isTimeFunction(cur) ? parseTimeExpr(cur) : parseColumn(cur);
}

export function parseList<T>(cur: Cursor, item: (cur: Cursor) => T): T[] {
  const items = [item(cur)];
  while (cur.acceptSymbol(',')) items.push(item(cur));
  return items;
}

/** OR of ANDs of NOTs; a parenthesized group stays one node, so nesting survives a round trip. */
export function parseCondition(cur: Cursor): Condition {
  return parseJunction(cur, 'or');
}

function parseJunction(cur: Cursor, kind: 'and' | 'or'): Condition {
  const part = (c: Cursor): Condition => (kind === 'or' ? parseJunction(c, 'and') : parseNot(c));
  const first = part(cur);
  const items = [first];
  while (cur.acceptWord(kind)) items.push(part(cur));
  return items.length === 1 ? first : { kind, items, pos: first.pos };
}

function parseNot(cur: Cursor): Condition {
  const not = cur.acceptWord('not');
  if (not !== undefined) return { kind: 'not', item: parseNot(cur), pos: not };
  if (cur.acceptSymbol('(')) {
    const inner = parseCondition(cur);
    cur.expectSymbol(')');
    return inner;
  }
  return parseTest(cur);
}

const COMPARISONS = { '=': '=', '<>': '!=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;
const TEST_EXPECTED = ['=', '<>', '!=', '<', '<=', '>', '>='].map((s) => `"${s}"`);

function parseTest(cur: Cursor): Condition {
  const column = parseColumn(cur);
  const pos = column.pos;
  const symbol = cur.peek();
  if (symbol.kind === 'symbol' && symbol.value in COMPARISONS) {
    cur.next();
    const op = COMPARISONS[symbol.value as keyof typeof COMPARISONS];
    return { kind: 'compare', column, op, value: parseLiteral(cur), pos };
  }
  if (cur.acceptWord('is')) {
    const negated = cur.acceptWord('not') !== undefined;
    cur.expectWord('null');
    return { kind: 'null', column, negated, pos };
  }
  const negated = cur.acceptWord('not') !== undefined;
  if (cur.acceptWord('in')) {
    cur.expectSymbol('(');
    const values = parseList(cur, parseLiteral);
    cur.expectSymbol(')');
    return { kind: 'in', column, negated, values, pos };
  }
  if (cur.isWord('like')) return parseLike(cur, column, negated);
  return cur.fail(negated ? ['IN', 'LIKE'] : [...TEST_EXPECTED, 'IN', 'NOT IN', 'LIKE', 'IS']);
}

function parseLike(cur: Cursor, column: ColumnRef, negated: boolean): Condition {
  cur.expectWord('like');
  const pattern = cur.peek();
  if (pattern.kind !== 'string') cur.fail(["a pattern like 'abc%'"]);
  cur.next();
  let escapeChar: string | undefined;
  if (cur.acceptWord('escape')) {
    const token = cur.peek();
    if (token.kind !== 'string' || [...token.value].length !== 1) cur.fail(['one character in quotes']);
    escapeChar = cur.next().value;
  }
  const { value, prefix } = likePrefix(pattern, escapeChar);
  return { kind: 'like', column, negated, value, prefix, pos: column.pos };
}

/** The literal text of a LIKE pattern and whether it ends in `%`; any other wildcard is an error. */
function likePrefix(pattern: Token, escapeChar: string | undefined): { value: string; prefix: boolean } {
  const chars = [...pattern.value];
  let value = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === escapeChar) {
      const escaped = chars[i + 1];
      if (escaped === undefined)
        throw new SqlCompileError('LIKE pattern ends with its ESCAPE character', pattern);
      value += escaped;
      i++;
    } else if (ch === '%' && i === chars.length - 1) {
      return { value, prefix: true };
    } else if (ch === '%' || ch === '_') {
      throw new SqlCompileError(
        `LIKE supports prefix patterns only ('abc%': one % at the end); "${ch}" at character ${i + 1} is a wildcard` +
          (ch === '_' ? " (write it as \\_ with ESCAPE '\\' to match a literal _)" : ''),
        pattern,
      );
    } else {
      value += ch;
    }
  }
  return { value, prefix: false };
}

/** `( [PARTITION BY …] [ORDER BY time] RANGE … [PRECEDING [EVERY …]] | GAP … )`. */
export function parseParenthesizedSpec(cur: Cursor, kind: WindowSpecKind): WindowSpec {
  const pos = cur.expectSymbol('(');
  let partition: WindowSpec['partition'];
  if (cur.acceptWord('partition')) {
    cur.expectWord('by');
    partition = parseList(cur, parseGroupItem);
  }
  let orderBy: WindowSpec['orderBy'];
  if (cur.acceptWord('order')) {
    cur.expectWord('by');
    orderBy = parseColumn(cur);
  }
  const lengthWord = kind === 'session' ? 'gap' : 'range';
  if (kind === 'sliding' && cur.isWord('rows')) {
    cur.failHere('ROWS windows are not supported: use RANGE INTERVAL … PRECEDING');
  }
  if (!cur.acceptWord(lengthWord)) {
    const before = [...(partition === undefined ? ['PARTITION BY'] : []), ...(orderBy ? [] : ['ORDER BY'])];
    cur.fail([...before, lengthWord.toUpperCase()]);
  }
  const length = parseInterval(cur);
  let every: Interval | undefined;
  if (kind === 'sliding') {
    cur.expectWord('preceding');
    if (cur.acceptWord('every')) every = parseInterval(cur);
  }
  if (!cur.isSymbol(')')) cur.fail(kind === 'sliding' && every === undefined ? ['EVERY', '")"'] : ['")"']);
  cur.next();
  return { kind, partition, orderBy, length, every, pos };
}
