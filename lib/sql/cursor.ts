import { expectedError, SqlCompileError } from './errors';
import type { Token } from './lexer';
import { RESERVED } from './names';

/** Token access for the recursive-descent parser: keywords compare case-insensitively, unquoted only. */
export class Cursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    const token = this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] ?? last;
    if (token === undefined) throw new Error('a token list ends with an eof token');
    return token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  isWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && token.value.toLowerCase() === word;
  }

  isSymbol(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'symbol' && token.value === symbol;
  }

  /** A word usable as a name: quoted, or unquoted and not reserved. */
  isName(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'quoted' || (token.kind === 'word' && !RESERVED.has(token.value.toLowerCase()));
  }

  acceptWord(word: string): Token | undefined {
    return this.isWord(word) ? this.next() : undefined;
  }

  acceptSymbol(symbol: string): Token | undefined {
    return this.isSymbol(symbol) ? this.next() : undefined;
  }

  /** `word` (lowercase) or an error that expects it, spelled in upper case. */
  expectWord(word: string): Token {
    return this.acceptWord(word) ?? this.fail([word.toUpperCase()]);
  }

  expectSymbol(symbol: string): Token {
    return this.acceptSymbol(symbol) ?? this.fail([`"${symbol}"`]);
  }

  /** An "expected … but found …" error at the current token. */
  fail(expected: string[]): never {
    throw expectedError(expected, this.peek());
  }

  /** Any other error at the current token. */
  failHere(message: string): never {
    throw new SqlCompileError(message, this.peek());
  }
}
