import type { z } from 'zod';
import { type CollectEvent, eventSchema, LIMITS, normalizeEvent, SITE_ID_PATTERN, tsProblem } from './schema';

/** Whole-request problems; the HTTP layer maps each kind to a status code. */
export type RequestProblem =
  | { kind: 'malformed'; field: 'body'; message: string }
  | { kind: 'invalid'; field: 'site' | 'events'; message: string }
  | { kind: 'too_many_events'; field: 'events'; message: string };

export interface EventRejection {
  index: number;
  field: string;
  error: string;
}

export interface ParsedCollectRequest {
  site: string;
  events: Array<{ index: number; event: CollectEvent }>;
  rejected: EventRejection[];
}

export type CollectParseResult =
  | { ok: true; value: ParsedCollectRequest }
  | { ok: false; problem: RequestProblem };

function describeIssue(issue: z.core.$ZodIssue): { field: string; error: string } {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'event';
  if (issue.code === 'invalid_type' && issue.input === undefined) return { field, error: 'is required' };
  if (issue.code === 'invalid_type') return { field, error: `must be a ${issue.expected}` };
  return { field, error: issue.message };
}

/**
 * Parses a collect body (`{"site", "events": [...]}`, long or short keys). Bad events are rejected one by
 * one with the field at fault, like Kinesis PutRecords; only a broken envelope fails the whole request.
 */
export function parseCollectBody(text: string, nowMs: number): CollectParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: { kind: 'malformed', field: 'body', message: 'body is not valid JSON' } };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      problem: { kind: 'malformed', field: 'body', message: 'body must be a JSON object' },
    };
  }
  const envelope = body as Record<string, unknown>;
  const site = envelope['site'] ?? envelope['s'];
  if (site === undefined || site === '') {
    return { ok: false, problem: { kind: 'invalid', field: 'site', message: 'site is required' } };
  }
  if (typeof site !== 'string' || !SITE_ID_PATTERN.test(site)) {
    return {
      ok: false,
      problem: { kind: 'invalid', field: 'site', message: 'site must be a site id (a-z, 0-9, "_", "-")' },
    };
  }
  const rawEvents = envelope['events'] ?? envelope['e'];
  if (!Array.isArray(rawEvents)) {
    return { ok: false, problem: { kind: 'invalid', field: 'events', message: 'events must be an array' } };
  }
  if (rawEvents.length === 0) {
    return { ok: false, problem: { kind: 'invalid', field: 'events', message: 'events must not be empty' } };
  }
  if (rawEvents.length > LIMITS.maxEventsPerRequest) {
    return {
      ok: false,
      problem: {
        kind: 'too_many_events',
        field: 'events',
        message: `at most ${LIMITS.maxEventsPerRequest} events per request (got ${rawEvents.length})`,
      },
    };
  }
  return { ok: true, value: { site, ...validateEvents(rawEvents, nowMs) } };
}

/** Validates each event on its own; also rejects an id repeated inside the same request. */
export function validateEvents(
  rawEvents: readonly unknown[],
  nowMs: number,
): Pick<ParsedCollectRequest, 'events' | 'rejected'> {
  const events: ParsedCollectRequest['events'] = [];
  const rejected: EventRejection[] = [];
  const seenIds = new Set<string>();
  rawEvents.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      rejected.push({ index, field: 'event', error: 'must be a JSON object' });
      return;
    }
    const result = eventSchema.safeParse(normalizeEvent(raw));
    if (!result.success) {
      const first = result.error.issues[0];
      rejected.push({ index, ...(first ? describeIssue(first) : { field: 'event', error: 'is invalid' }) });
      return;
    }
    const tsError = tsProblem(result.data.ts, nowMs);
    if (tsError !== undefined) {
      rejected.push({ index, field: 'ts', error: tsError });
      return;
    }
    if (seenIds.has(result.data.id)) {
      rejected.push({ index, field: 'id', error: 'repeats an earlier event of this request' });
      return;
    }
    seenIds.add(result.data.id);
    events.push({ index, event: result.data });
  });
  return { events, rejected };
}
