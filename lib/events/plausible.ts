import { randomBytes } from 'node:crypto';
import { type EventRejection, validateEvents } from './collect-request';
import type { CollectEvent } from './schema';

/**
 * Plausible's Events API body (`POST /api/event`): `{name|n, url|u, domain|d, referrer|r, props|p}`, so
 * existing integrations can point at Riffle. Plausible has no client event id, so one is made here and
 * such events cannot be deduplicated on retry.
 */
export type PlausibleParseResult =
  | { ok: true; domain: string; event: CollectEvent }
  | { ok: false; field: string; error: string };

function pick(body: Record<string, unknown>, long: string, short: string): unknown {
  return body[long] ?? body[short];
}

export function parsePlausibleBody(text: string, nowMs: number): PlausibleParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, field: 'body', error: 'is not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, field: 'body', error: 'must be a JSON object' };
  }
  const record = body as Record<string, unknown>;
  const domain = pick(record, 'domain', 'd');
  if (typeof domain !== 'string' || domain === '')
    return { ok: false, field: 'domain', error: 'is required' };
  let props = pick(record, 'props', 'p');
  // Plausible's older scripts send props as a JSON string.
  if (typeof props === 'string') {
    try {
      props = JSON.parse(props);
    } catch {
      return { ok: false, field: 'props', error: 'must be an object or a JSON string of one' };
    }
  }
  const name = pick(record, 'name', 'n');
  const candidate = {
    id: randomBytes(12).toString('base64url'),
    type: name,
    url: pick(record, 'url', 'u'),
    ts: nowMs,
    referrer: pick(record, 'referrer', 'r') ?? undefined,
    props: props ?? undefined,
  };
  const { events, rejected } = validateEvents([candidate], nowMs);
  const first = events[0];
  if (first) return { ok: true, domain: domain.split(',')[0]?.trim() ?? domain, event: first.event };
  const problem: EventRejection | undefined = rejected[0];
  const field = problem?.field === 'type' ? 'name' : (problem?.field ?? 'event');
  return { ok: false, field, error: problem?.error ?? 'is invalid' };
}
