import { intervalMs } from '../../../lib/sql/intervals';

/**
 * Durations as the admin form edits them: a decimal number and a unit picker, converted exactly (integer
 * arithmetic, as the SQL dialect's intervals) to the whole milliseconds window definitions hold.
 */

export const DURATION_UNITS = [
  { id: 'ms', label: 'ms', ms: 1 },
  { id: 's', label: 's', ms: 1_000 },
  { id: 'min', label: 'min', ms: 60_000 },
  { id: 'h', label: 'h', ms: 3_600_000 },
  { id: 'd', label: 'd', ms: 86_400_000 },
] as const;

export type DurationUnit = (typeof DURATION_UNITS)[number]['id'];

/** A duration as typed: `value` is the text of the input ('' = not set). */
export interface Duration {
  value: string;
  unit: DurationUnit;
}

export type DurationParse = { ok: true; ms: number | undefined } | { ok: false; message: string };

export function unitMs(unit: DurationUnit): number {
  return DURATION_UNITS.find((u) => u.id === unit)?.ms ?? 1;
}

export function isDurationUnit(value: string): value is DurationUnit {
  return DURATION_UNITS.some((u) => u.id === value);
}

/** '' → not set; '1.5' s → 1500; anything but a non-negative decimal, or a fraction of a ms, is a problem. */
export function durationToMs(duration: Duration): DurationParse {
  const text = duration.value.trim();
  if (text === '') return { ok: true, ms: undefined };
  if (!/^\d+(\.\d+)?$/.test(text)) return { ok: false, message: 'enter a number, like 10 or 1.5' };
  const ms = intervalMs(text, unitMs(duration.unit));
  if (typeof ms === 'string') return { ok: false, message: ms.replace(/'/g, '') };
  return { ok: true, ms };
}

/** The largest unit that holds `ms` a whole number of times: 90 000 → 90 s, 3 600 000 → 1 h, 0 → 0 s. */
export function msToDuration(ms: number | undefined, fallback: DurationUnit = 's'): Duration {
  if (ms === undefined) return { value: '', unit: fallback };
  if (ms === 0) return { value: '0', unit: fallback };
  for (let i = DURATION_UNITS.length - 1; i >= 0; i--) {
    const unit = DURATION_UNITS[i];
    if (unit && ms % unit.ms === 0) return { value: String(ms / unit.ms), unit: unit.id };
  }
  return { value: String(ms), unit: 'ms' };
}

/** "10 s", "90 min", "1 d" for whole units; otherwise the largest unit with up to 3 decimals ("1.5 s"). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 s';
  const units = [...DURATION_UNITS].reverse();
  const whole = units.find((unit) => ms % unit.ms === 0);
  if (whole && whole.id !== 'ms') return `${ms / whole.ms} ${whole.label}`;
  const largest = units.find((unit) => Math.abs(ms) >= unit.ms) ?? DURATION_UNITS[0];
  return `${Math.round((ms / largest.ms) * 1000) / 1000} ${largest.label}`;
}
