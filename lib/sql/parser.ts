import type { Query, WindowClause } from './ast';
import { Cursor } from './cursor';
import { END_OF_INPUT, SqlCompileError } from './errors';
import { tokenize } from './lexer';
import { STREAMS } from './names';
import {
  parseCondition,
  parseGroupItem,
  parseIdent,
  parseInterval,
  parseList,
  parseParenthesizedSpec,
} from './parse-expr';
import { parseSelectItem } from './parse-select';

/**
 * The statement grammar (docs/sql.md has it in full):
 *   [CREATE [OR REPLACE] STREAM name (…);] [CREATE [OR REPLACE] PUMP name AS INSERT INTO name [(…)]]
 *   SELECT STREAM items FROM stream [[AS] alias] [WHERE cond]
 *   [GROUP BY items | WINDOWED BY {STAGGER | SESSION} (spec)] [WINDOW w AS (spec), …]
 *   {OFFSET interval | GRACE [PERIOD] interval | RETENTION interval | EMIT {CHANGES | FINAL}} [;]
 */
export function parseQuery(source: string): Query {
  const cur = new Cursor(tokenize(source));
  let pumpName: string | undefined;
  while (cur.isWord('create')) {
    const created = parseCreate(cur);
    if (created !== undefined) {
      pumpName = created;
      break;
    }
  }
  const query = parseSelect(cur, pumpName);
  cur.acceptSymbol(';');
  if (cur.peek().kind !== 'eof') cur.fail([END_OF_INPUT]);
  return query;
}

/** Skips a `CREATE STREAM` (its columns mean nothing here); returns the name of a `CREATE PUMP`. */
function parseCreate(cur: Cursor): string | undefined {
  cur.expectWord('create');
  if (cur.acceptWord('or')) cur.expectWord('replace');
  if (cur.acceptWord('stream')) {
    parseIdent(cur, 'a stream name');
    if (cur.isSymbol('(')) skipParenthesized(cur);
    cur.expectSymbol(';');
    return undefined;
  }
  if (!cur.acceptWord('pump')) cur.fail(['STREAM', 'PUMP']);
  const name = parseIdent(cur, 'a pump name').value;
  cur.expectWord('as');
  cur.expectWord('insert');
  cur.expectWord('into');
  parseIdent(cur, 'a stream name');
  if (cur.isSymbol('(')) skipParenthesized(cur);
  return name;
}

function skipParenthesized(cur: Cursor): void {
  const open = cur.expectSymbol('(');
  let depth = 1;
  while (depth > 0) {
    const token = cur.next();
    if (token.kind === 'eof') throw new SqlCompileError('unclosed "(": expected ")"', open, ['")"']);
    if (token.kind === 'symbol' && token.value === '(') depth++;
    if (token.kind === 'symbol' && token.value === ')') depth--;
  }
}

const CLAUSE_WORDS = [
  'where',
  'group',
  'windowed',
  'window',
  'having',
  'offset',
  'grace',
  'retention',
  'emit',
];

function parseSelect(cur: Cursor, pumpName: string | undefined): Query {
  cur.expectWord('select');
  cur.expectWord('stream');
  const selectPos = cur.peek();
  if (cur.isSymbol('*')) cur.failHere('SELECT * is not supported: list the group columns and the aggregates');
  const select = parseList(cur, parseSelectItem);
  if (!cur.isWord('from')) cur.fail(['","', 'FROM']);
  cur.next();
  const stream = parseIdent(cur, 'a stream name');
  if (!STREAMS.some((s) => s.toLowerCase() === stream.value.toLowerCase())) {
    throw new SqlCompileError(
      `unknown stream ${stream.value}: read from clicks or SOURCE_SQL_STREAM_001`,
      stream.pos,
    );
  }
  // Both stream names qualify columns whichever is read: they name the one stream of clicks.
  const streamNames: string[] = [...STREAMS];
  // Without AS, a word is an alias only where a clause (or the end) follows, so a misspelled keyword
  // after FROM is reported as such rather than taken for an alias.
  const endsHere = (ahead: number) =>
    CLAUSE_WORDS.some((w) => cur.isWord(w, ahead)) ||
    cur.isSymbol(';', ahead) ||
    cur.peek(ahead).kind === 'eof';
  if (cur.acceptWord('as') || (cur.isName() && endsHere(1))) {
    const alias = parseIdent(cur, 'an alias');
    if (['props', 'target'].includes(alias.value.toLowerCase())) {
      throw new SqlCompileError(`${alias.value} cannot be a stream alias: it starts column names`, alias.pos);
    }
    streamNames.push(alias.value);
  }
  const where = cur.acceptWord('where') ? parseCondition(cur) : undefined;
  const windowPos = cur.peek();
  const window = parseWindowClause(cur);
  if (cur.isWord('having')) cur.failHere('HAVING is not supported: filter the results where they are read');
  const windows: Query['windows'] = [];
  if (cur.acceptWord('window')) {
    do {
      const name = parseIdent(cur, 'a window name');
      cur.expectWord('as');
      windows.push({ name, spec: parseParenthesizedSpec(cur, 'sliding') });
    } while (cur.acceptSymbol(','));
  }
  const options = parseOptions(cur, { where: where !== undefined, window: window !== undefined, windows });
  return { pumpName, select, selectPos, streamNames, where, window, windowPos, windows, ...options };
}

function parseWindowClause(cur: Cursor): WindowClause | undefined {
  const start = cur.peek();
  if (cur.acceptWord('group')) {
    cur.expectWord('by');
    return { kind: 'group', items: parseList(cur, parseGroupItem), pos: start };
  }
  if (!cur.acceptWord('windowed')) return undefined;
  cur.expectWord('by');
  const kind = cur.acceptWord('stagger') ? 'stagger' : cur.acceptWord('session') ? 'session' : undefined;
  if (kind === undefined) cur.fail(['STAGGER', 'SESSION']);
  return { kind: 'windowed', spec: parseParenthesizedSpec(cur, kind), pos: start };
}

type Options = Pick<Query, 'offset' | 'grace' | 'retention'>;

function parseOptions(
  cur: Cursor,
  seen: { where: boolean; window: boolean; windows: Query['windows'] },
): Options {
  const options: Options = { offset: undefined, grace: undefined, retention: undefined };
  let emit = false;
  for (;;) {
    const token = cur.peek();
    const word = token.kind === 'word' ? token.value.toLowerCase() : '';
    if (word === 'offset' || word === 'grace' || word === 'retention') {
      if (options[word] !== undefined) cur.failHere(`${word.toUpperCase()} is given twice`);
      cur.next();
      if (word === 'grace') cur.acceptWord('period');
      options[word] = parseInterval(cur);
    } else if (word === 'emit') {
      if (emit) cur.failHere('EMIT is given twice');
      cur.next();
      // Accepted for ksqlDB habits and ignored: each window type has its own emission (docs/sql.md).
      if (!cur.acceptWord('changes') && !cur.acceptWord('final')) cur.fail(['CHANGES', 'FINAL']);
      emit = true;
    } else if (token.kind === 'symbol' && token.value === ';') {
      return options;
    } else if (token.kind === 'eof') {
      return options;
    } else {
      // Clauses come in order, so only those after the last one seen can still follow.
      const optionSeen = emit || Object.values(options).some((given) => given !== undefined);
      const clauses =
        optionSeen || seen.windows.length > 0
          ? []
          : seen.window
            ? ['WINDOW']
            : [...(seen.where ? [] : ['WHERE']), 'GROUP BY', 'WINDOWED BY', 'WINDOW'];
      const rest = [
        ['OFFSET', options.offset],
        ['GRACE', options.grace],
        ['RETENTION', options.retention],
      ]
        .filter(([, given]) => given === undefined)
        .map(([name]) => String(name));
      cur.fail([...clauses, ...rest, ...(emit ? [] : ['EMIT']), '";"', END_OF_INPUT]);
    }
  }
}
