/**
 * Errors of the streaming SQL dialect. Every error points at one token, 1-based, so the admin UI can
 * underline it; `expected` lists what the parser would have accepted there (parse errors only).
 */

export interface SqlError {
  message: string;
  line: number;
  column: number;
  /** The offending token as written ("end of input" past the last token). */
  token?: string;
  expected?: string[];
}

export interface Pos {
  line: number;
  column: number;
  /** The token as written, for `SqlError.token`. */
  text: string;
}

/** Thrown inside the compiler only; `compileSql` turns it into its `{ ok: false, error }` result. */
export class SqlCompileError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
    readonly expected?: string[],
  ) {
    super(message);
    this.name = 'SqlCompileError';
  }

  toSqlError(): SqlError {
    const error: SqlError = { message: this.message, line: this.pos.line, column: this.pos.column };
    if (this.pos.text !== '') error.token = this.pos.text;
    if (this.expected !== undefined) error.expected = this.expected;
    return error;
  }
}

/** Thrown by `toSql` for a definition the dialect has no spelling for (see docs/sql.md). */
export class SqlRenderError extends Error {
  constructor(
    message: string,
    /** Where in the definition, as a zod-style path. */
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'SqlRenderError';
  }
}

/** "a", "a or b", "a, b or c": how the messages list alternatives. */
export function listAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function describeToken(text: string): string {
  return text === END_OF_INPUT ? END_OF_INPUT : `"${text}"`;
}

export const END_OF_INPUT = 'end of input';

export function expectedError(expected: string[], found: Pos): SqlCompileError {
  return new SqlCompileError(
    `expected ${listAlternatives(expected)} but found ${describeToken(found.text)}`,
    found,
    expected,
  );
}
