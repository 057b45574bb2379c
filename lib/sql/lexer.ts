import { END_OF_INPUT, type Pos, SqlCompileError } from './errors';

/**
 * The tokenizer: words (keywords and identifiers alike; the parser decides), "quoted identifiers",
 * 'strings', numbers and symbols, each with its 1-based line and column. Comments and whitespace are
 * dropped here, so the parser never sees them.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol' | 'eof';

export interface Token extends Pos {
  kind: TokenKind;
  /** Words: as written; quoted identifiers and strings: unescaped; numbers and symbols: as written. */
  value: string;
}

const SYMBOLS = ['<>', '!=', '<=', '>=', '(', ')', ',', '.', '*', ';', '=', '<', '>', '-', '+'] as const;
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;

  /** Moves past `n` UTF-16 units, counting lines and columns in code points. */
  const advance = (n: number): void => {
    for (let k = 0; k < n && i < source.length; k++) {
      const code = source.charCodeAt(i);
      if (code === 10 || (code === 13 && source.charCodeAt(i + 1) !== 10)) {
        line++;
        column = 1;
      } else if (!(code >= 0xdc00 && code <= 0xdfff)) {
        // A low surrogate completes the character its high surrogate already counted.
        column++;
      }
      i++;
    }
  };
  const here = (text: string): Pos => ({ line, column, text });

  while (i < source.length) {
    const ch = source.charAt(i);
    if (/\s/.test(ch)) {
      advance(1);
      continue;
    }
    if (source.startsWith('--', i)) {
      while (i < source.length && source.charAt(i) !== '\n' && source.charAt(i) !== '\r') advance(1);
      continue;
    }
    if (source.startsWith('/*', i)) {
      const at = here('/*');
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment: /* needs a closing */', at);
      advance(end + 2 - i);
      continue;
    }
    const start = here('');
    const from = i;
    if (ch === "'" || ch === '"') {
      const value = readQuoted(source, i, ch);
      if (value === undefined) {
        const what = ch === "'" ? 'string' : 'quoted identifier';
        fail(`unterminated ${what}: ${ch} needs a closing ${ch}`, { ...start, text: ch });
      }
      advance(value.length);
      const text = source.slice(from, i);
      const unescaped = text.slice(1, -1).replaceAll(ch + ch, ch);
      if (ch === '"' && unescaped === '') fail('empty quoted identifier', { ...start, text });
      tokens.push({ ...start, text, kind: ch === "'" ? 'string' : 'quoted', value: unescaped });
      continue;
    }
    if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(source.charAt(i + 1)))) {
      const match = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      const text = match?.[0] ?? ch;
      advance(text.length);
      tokens.push({ ...start, text, kind: 'number', value: text });
      continue;
    }
    if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < source.length && WORD_PART.test(source.charAt(end))) end++;
      const text = source.slice(i, end);
      advance(end - i);
      tokens.push({ ...start, text, kind: 'word', value: text });
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (symbol === undefined) {
      const bad = String.fromCodePoint(source.codePointAt(i) ?? 0);
      fail(`unexpected character ${JSON.stringify(bad)}`, { ...start, text: bad });
    } else {
      advance(symbol.length);
      tokens.push({ ...start, text: symbol, kind: 'symbol', value: symbol });
    }
  }
  tokens.push({ line, column, text: END_OF_INPUT, kind: 'eof', value: '' });
  return tokens;
}

function fail(message: string, at: Pos): never {
  throw new SqlCompileError(message, at);
}

/** The whole quoted token starting at `start` (quotes included), or undefined when it never closes. */
function readQuoted(source: string, start: number, quote: string): string | undefined {
  let j = start + 1;
  while (j < source.length) {
    if (source.charAt(j) === quote) {
      // A doubled quote is an escaped quote, not the end.
      if (source.charAt(j + 1) === quote) j += 2;
      else return source.slice(start, j + 1);
    } else j++;
  }
  return undefined;
}
