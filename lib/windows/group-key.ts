import type { EnrichedEvent } from '../events/enriched';
import { type GroupField, groupFieldName } from './definition';
import { compileField, type FieldAccessor, type Scalar } from './fields';
import { mod } from './time';

/**
 * Group keys as strings, for Map lookups without allocating per event. A key with one string field is
 * that string itself; other values get a one-character type tag; parts are joined by U+001F. Strings that
 * could be mistaken for a tagged value (first character below U+0005) or that contain U+001F are
 * escaped as U+0003 + their JSON, so the encoding stays injective.
 */

/** The key string of the overflow bucket; no real key encodes to it. */
export const OTHER_KEY = '\u0004';
/** What every field of the overflow bucket's key shows. */
export const OTHER_VALUE = '(other)';
const SEPARATOR = '\u001f';

function encodePart(value: Scalar | undefined): string {
  if (typeof value === 'string') {
    if ((value.length > 0 && value.charCodeAt(0) < 5) || value.includes(SEPARATOR)) {
      return `\u0003${JSON.stringify(value)}`;
    }
    return value;
  }
  if (typeof value === 'number') return `\u0001${value}`;
  if (typeof value === 'boolean') return value ? '\u0002t' : '\u0002f';
  return '\u0000';
}

export interface GroupKeyer {
  /** Field names of the key record (`as` for time buckets). */
  readonly names: readonly string[];
  encode(event: EnrichedEvent, ingestMs: number): string;
  /** The key's values; read only when a cell is created. null when there is no groupBy. */
  values(event: EnrichedEvent, ingestMs: number): Scalar[] | null;
  encodeValues(values: readonly Scalar[] | null): string;
}

function compileGroupField(field: GroupField): FieldAccessor {
  if (typeof field === 'string') return compileField(field);
  const read = compileField(field.field);
  const unit = field.floorMs;
  return (e, i) => {
    const v = read(e, i);
    return typeof v === 'number' ? v - mod(v, unit) : null;
  };
}

export function compileGroupKey(groupBy: readonly GroupField[]): GroupKeyer {
  const names = groupBy.map(groupFieldName);
  const readers = groupBy.map(compileGroupField);
  const encodeValues = (values: readonly Scalar[] | null): string =>
    values === null ? '' : values.map(encodePart).join(SEPARATOR);
  const values = (e: EnrichedEvent, i: number): Scalar[] | null =>
    readers.length === 0 ? null : readers.map((read) => read(e, i) ?? null);
  const [only] = readers;
  if (only === undefined) return { names, encode: () => '', values, encodeValues };
  if (readers.length === 1) {
    return {
      names,
      encode: (e, i) => {
        const v = only(e, i);
        // The common case (a plain string) returns the value itself: no allocation.
        return typeof v === 'string' && (v.length === 0 || v.charCodeAt(0) > 4) && !v.includes(SEPARATOR)
          ? v
          : encodePart(v ?? null);
      },
      values,
      encodeValues,
    };
  }
  return {
    names,
    encode: (e, i) => {
      let key = encodePart(readers[0]?.(e, i) ?? null);
      for (let r = 1; r < readers.length; r++) key += SEPARATOR + encodePart(readers[r]?.(e, i) ?? null);
      return key;
    },
    values,
    encodeValues,
  };
}
