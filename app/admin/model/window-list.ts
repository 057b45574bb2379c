import type { PreviewResult, PreviewValue, WindowRow } from './schemas';
import { formatMs } from './units';

/** The windows page's wording: a window's state, its shape in one line, result keys and values as text. */

export type WindowState =
  | { kind: 'running' }
  | { kind: 'paused' }
  | { kind: 'backfilling'; progress: number };

export function windowState(row: Pick<WindowRow, 'status' | 'backfillProgress'>): WindowState {
  if (row.status === 'paused') return { kind: 'paused' };
  if (row.backfillProgress !== null) return { kind: 'backfilling', progress: row.backfillProgress };
  return { kind: 'running' };
}

export function stateLabel(state: WindowState): string {
  switch (state.kind) {
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'backfilling':
      return `back-filling ${Math.floor(state.progress * 100)}%`;
  }
}

interface Shape {
  type: string;
  sizeMs?: unknown;
  everyMs?: unknown;
  rangeMs?: unknown;
  gapMs?: unknown;
  time?: unknown;
}

const ms = (value: unknown): string => (typeof value === 'number' ? formatMs(value) : '?');

/** "tumbling 1 min", "sliding 5 min every 1 s", "stagger 1 min", "session gap 30 min" (+ ", event time"). */
export function describeShape(d: Shape): string {
  const time = d.time === 'event' ? ', event time' : '';
  switch (d.type) {
    case 'tumbling':
      return `tumbling ${ms(d.sizeMs)}${time}`;
    case 'sliding':
      return `sliding ${ms(d.sizeMs)} every ${ms(d.everyMs)}${time}`;
    case 'stagger':
      return `stagger ${ms(d.rangeMs)}${time}`;
    case 'session':
      return `session gap ${ms(d.gapMs)}${time}`;
    default:
      return d.type;
  }
}

/** A result key as "path = /a · country = GB"; "—" without groups. */
export function formatKey(key: PreviewResult['key']): string {
  if (key === null) return '—';
  const parts = Object.entries(key).map(
    ([name, value]) => `${name} = ${value === null ? 'null' : String(value)}`,
  );
  return parts.length === 0 ? '—' : parts.join(' · ');
}

/** A value: numbers with at most 3 decimals; top-k as "a (3), b (2) + 4 other". */
export function formatValue(value: PreviewValue | undefined): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return String(Math.round(value * 1000) / 1000);
  const top = value.top.map((entry) => `${entry.value} (${entry.count})`).join(', ');
  const other = value.other > 0 ? ` + ${value.other} other` : '';
  return `${top || '—'}${other}`;
}

/** UTC time with ms ("12:00:05.250"), or date too when the window is a day or longer. */
export function formatInstant(msValue: number, withDate: boolean): string {
  const iso = new Date(msValue).toISOString();
  const time = iso.slice(11, 23).replace(/\.000$/, '');
  return withDate ? `${iso.slice(0, 10)} ${time}` : time;
}
