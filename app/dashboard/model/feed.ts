import type { Filter } from './filters';
import { type FeedEvent, recentEventsSchema } from './schemas';

export const FEED_CAP = 100;

/** Newest first, each event once (a resubscribe may resend recent events), at most `cap`. */
export function mergeFeed(
  current: readonly FeedEvent[],
  incoming: readonly FeedEvent[],
  cap = FEED_CAP,
): FeedEvent[] {
  const seen = new Set<string>();
  const merged: FeedEvent[] = [];
  const candidates = [...incoming, ...current].sort((a, b) => b.receivedAtMs - a.receivedAtMs);
  for (const event of candidates) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    merged.push(event);
    if (merged.length === cap) break;
  }
  return merged;
}

/** Feed events carry these filter fields; the others (referrer, UTM) cannot be checked on the feed. */
const FEED_FIELDS = {
  path: (e: FeedEvent) => e.path,
  source: (e: FeedEvent) => e.source,
  device: (e: FeedEvent) => e.device,
  browser: (e: FeedEvent) => e.browser,
  os: (e: FeedEvent) => e.os,
  country: (e: FeedEvent) => e.country,
  type: (e: FeedEvent) => e.type,
} as const;

export function feedCanFilter(filter: Filter): boolean {
  return filter.field in FEED_FIELDS;
}

/** Whether an event matches every filter the feed can check. */
export function feedMatches(event: FeedEvent, filters: readonly Filter[]): boolean {
  return filters.every((filter) => {
    const read = FEED_FIELDS[filter.field as keyof typeof FEED_FIELDS] as
      | ((e: FeedEvent) => string | undefined)
      | undefined;
    return read === undefined || read(event) === filter.value;
  });
}

/** Characters of the visitor id the feed shows (as the gateway's feed messages do). */
const VISITOR_CHARS = 6;

/**
 * Stored events (`GET /api/streams/recent`) as feed events: the receive time is the stream id's ms, the
 * visitor id is shortened. Invalid answers give nothing: the feed then starts empty.
 */
export function feedFromRecent(answer: unknown, site: string): FeedEvent[] {
  const parsed = recentEventsSchema.safeParse(answer);
  if (!parsed.success) return [];
  return parsed.data.events
    .filter(({ event }) => event.site === site)
    .map(({ streamId, event }) => {
      const { site: _site, ...rest } = event;
      return {
        ...rest,
        receivedAtMs: Number(streamId.split('-')[0]),
        visitor: event.visitor.slice(0, VISITOR_CHARS),
      };
    });
}
