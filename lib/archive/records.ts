import type { LogEntry } from './batcher';
import { splitEventArray } from './event-array';
import { NdjsonBuffer } from './ndjson-buffer';

/**
 * Turns a batch's entries into NDJSON lines, one file per site. A record is the enriched event exactly as
 * stored, plus its address in the stream: `_id` (the entry's stream id) and `_sub` (its index in the
 * entry), the KCL's sequence and sub-sequence numbers. Without a transformation the stored bytes are copied
 * (no parse, no stringify). A transformation may change or drop a record; one that throws sends the record
 * to the error tree with the reason, and the rest of the batch goes on.
 */

/** A record as archived: the event's fields, then its address. */
export type ArchiveRecord = Record<string, unknown> & { _id: string; _sub: number };

export type ArchiveTransform = (
  record: ArchiveRecord,
) => Record<string, unknown> | null | undefined | Promise<Record<string, unknown> | null | undefined>;

export interface SiteOutput {
  site: string;
  /** Stream id of the site's first event in the batch: names both its events and its error file. */
  nameId: string;
  /** Ingest time of that event: the file's time partition. */
  nameMs: number;
  records: NdjsonBuffer;
  errors: NdjsonBuffer;
  /** `<id>/<sub>` of records the transformation dropped. */
  dropped: string[];
}

/** The address that closes a record: `,"_id":"<id>","_sub":<i>}` and the newline. */
export function addressSuffix(id: string, sub: number, emptyObject = false): string {
  return `${emptyObject ? '' : ','}"_id":"${id}","_sub":${sub}}\n`;
}

/** `{…}` + address, as text: keeps the event's own bytes and field order. */
export function addressed(json: string, id: string, sub: number): string {
  return `${json.slice(0, -1)}${addressSuffix(id, sub, json === '{}')}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown: ${String(error)}`;
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addFailed(errors: NdjsonBuffer, reason: string, recordJson: string, id: string, sub: number): void {
  errors.append(`{"reason":${JSON.stringify(reason)},"record":${recordJson},"_id":"${id}","_sub":${sub}}\n`);
  errors.endRecord(id);
}

export async function buildSiteOutputs(
  entries: readonly LogEntry[],
  transform: ArchiveTransform | undefined,
): Promise<SiteOutput[]> {
  const sites = new Map<string, SiteOutput>();
  for (const entry of entries) {
    const { data, id } = entry;
    const spans = splitEventArray(data);
    for (let sub = 0; sub < spans.length; sub++) {
      const span = spans[sub] as (typeof spans)[number];
      const site = span.site ?? '_unknown';
      let output = sites.get(site);
      if (!output) {
        output = {
          site,
          nameId: id,
          nameMs: entry.ms,
          records: new NdjsonBuffer(),
          errors: new NdjsonBuffer(),
          dropped: [],
        };
        sites.set(site, output);
      }
      if (!span.isObject) {
        const raw = data.toString('utf8', span.start, span.end);
        addFailed(output.errors, 'not a JSON object: cannot be archived as a record', raw, id, sub);
        continue;
      }
      if (!transform) {
        output.records.copy(data, span.start, span.end - 1);
        output.records.ascii(addressSuffix(id, sub, span.end - span.start === 2));
        output.records.endRecord(id);
        continue;
      }
      const original = data.toString('utf8', span.start, span.end);
      try {
        const event = JSON.parse(original) as Record<string, unknown>;
        const result = await transform({ ...event, _id: id, _sub: sub });
        if (result === null || result === undefined) {
          output.dropped.push(`${id}/${sub}`);
          continue;
        }
        if (!isRecordObject(result))
          throw new TypeError(`transformation returned ${typeof result}, not an object`);
        // The address is the archive's, not the transformation's: a record can always be traced back.
        const { _id: _ignoredId, _sub: _ignoredSub, ...fields } = result;
        output.records.append(addressed(JSON.stringify(fields), id, sub));
        output.records.endRecord(id);
      } catch (error) {
        const record = addressed(original, id, sub).slice(0, -1);
        addFailed(output.errors, describeError(error), record, id, sub);
      }
    }
  }
  return [...sites.values()].sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0));
}
