export type CsvCell = string | number | boolean | null | undefined;

/** Cells a spreadsheet would read as a formula (CSV injection); such text gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted as RFC 4180 requires: when it holds a comma, a double quote, CR or LF ("" escapes "). */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  let text = String(cell);
  if (typeof cell === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 text: a header line, then one line per row, every line ended by CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** `riffle-<site>-<panel>-<YYYYMMDD-HHMMSS>.csv`, safe as a file name. */
export function csvFileName(site: string, panel: string, nowMs: number): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'data';
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/\..*$/, '')
    .replaceAll('-', '')
    .replaceAll(':', '')
    .replace('T', '-');
  return `riffle-${slug(site)}-${slug(panel)}-${stamp}.csv`;
}
