/** Number, time and duration formatting for the dashboard (fixed English locale: stable in tests and SSR). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 0–9,999 exactly ("1,234"), larger numbers compact ("12.3K"). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) < 10_000 ? integer.format(n) : compact.format(n);
}

export function formatDecimal(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return oneDecimal.format(n);
}

const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A rate: two decimals below 1 ("0.04"), one above ("12.5"). */
export function formatRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) < 1 ? twoDecimals.format(n) : oneDecimal.format(n);
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${Math.round(ratio * 100)}%`;
}

/** "0s", "45s", "3m 05s", "1h 02m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** A short span: "0.4 s", "12 s", "3 min", "2 h". */
export function formatSpan(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 10_000) return `${oneDecimal.format(safe / 1000)} s`;
  if (safe < 120_000) return `${Math.round(safe / 1000)} s`;
  if (safe < 7_200_000) return `${Math.round(safe / 60_000)} min`;
  return `${Math.round(safe / 3_600_000)} h`;
}

export function formatAgo(ms: number): string {
  return `${formatSpan(ms)} ago`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time "14:05:09". */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local "14:05". */
export function formatMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A window length in words: 60000 → "1 min", 1000 → "1 s", 1800000 → "30 min". */
export function formatWindowSize(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A bucket length after "per": 60000 → "minute", 300000 → "5 minutes", 1000 → "second". */
export function formatBucket(ms: number | undefined): string {
  if (ms === undefined || ms <= 0) return '';
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${ms} ms`;
}
