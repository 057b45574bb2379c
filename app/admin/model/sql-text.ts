import type { SqlError } from '../../../lib/sql';

/**
 * Where an SQL error sits in the editor's text. The compiler counts lines (\n, \r\n or \r) and columns in
 * code points, 1-based; the editor needs UTF-16 offsets to mark the offending token, and the line itself to
 * show it under the message with a caret line.
 */

export interface SqlMarker {
  line: number;
  column: number;
  /** The whole offending line. */
  lineText: string;
  /** UTF-16 offsets of the marked text in the whole query: [start, end). */
  start: number;
  end: number;
  /** The caret line: spaces up to the token, then one ^ per character of it. */
  caret: string;
}

const END_OF_INPUT = 'end of input';

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Offset of each line's first character (UTF-16), line breaks of any kind counted. */
function lineOffsets(text: string): number[] {
  const offsets = [0];
  const breaks = /\r\n|\r|\n/g;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    offsets.push(match.index + match[0].length);
  }
  return offsets;
}

export function markerFor(sql: string, error: Pick<SqlError, 'line' | 'column' | 'token'>): SqlMarker {
  const lines = splitLines(sql);
  const lineIndex = Math.min(Math.max(error.line, 1), lines.length) - 1;
  const lineText = lines[lineIndex] ?? '';
  const chars = [...lineText];
  const columnIndex = Math.min(Math.max(error.column, 1) - 1, chars.length);
  const tokenChars =
    error.token === undefined || error.token === END_OF_INPUT ? 1 : Math.max(1, [...error.token].length);
  const markedChars = Math.max(0, Math.min(tokenChars, chars.length - columnIndex));
  const before = chars.slice(0, columnIndex).join('');
  const marked = chars.slice(columnIndex, columnIndex + markedChars).join('');
  const start = (lineOffsets(sql)[lineIndex] ?? 0) + before.length;
  // Tabs keep their width in the caret line, so the caret stays under the token.
  const pad = [...before].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return {
    line: lineIndex + 1,
    column: columnIndex + 1,
    lineText,
    start,
    end: start + marked.length,
    caret: `${pad}${'^'.repeat(Math.max(1, [...marked].length))}`,
  };
}

/** Examples the SQL editor offers, one per window type (docs/sql.md). */
export const SQL_EXAMPLES = [
  {
    id: 'tumbling',
    label: 'Tumbling',
    sql: `SELECT STREAM path, COUNT(*) AS views
FROM clicks
WHERE type = 'pageview'
GROUP BY path, STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE);`,
  },
  {
    id: 'stagger',
    label: 'Stagger',
    sql: `SELECT STREAM source, COUNT(*) AS events
FROM clicks
WINDOWED BY STAGGER (PARTITION BY source RANGE INTERVAL '1' MINUTE);`,
  },
  {
    id: 'sliding',
    label: 'Sliding',
    sql: `SELECT STREAM path, COUNT(*) OVER W AS views
FROM clicks
WHERE type = 'pageview'
WINDOW W AS (PARTITION BY path RANGE INTERVAL '5' MINUTE PRECEDING);`,
  },
  {
    id: 'session',
    label: 'Session',
    sql: `SELECT STREAM visitor, COUNT(*) AS events,
  COUNT(*) FILTER (WHERE type = 'pageview') AS pageviews
FROM clicks
WINDOWED BY SESSION (GAP INTERVAL '30' MINUTE);`,
  },
] as const;
