import { enrichEvent, type RequestContext } from '../../lib/enrich/enrich-event';
import { lookupCountry } from '../../lib/enrich/geo';
import { parseUserAgent } from '../../lib/enrich/user-agent';
import type { CollectEvent } from '../../lib/events/schema';
import type { Logger } from '../../lib/logger';
import type { DailySaltStore } from '../../lib/privacy/salt-store';
import { visitorId } from '../../lib/privacy/visitor-id';
import { COALESCE_MS, type FeedEvent, rooms } from '../../lib/realtime/contract';
import type { ServerMetrics } from '../metrics';
import type { RealtimeServer } from './types';

/** What the collect handler hands over after a successful ingest: the request's accepted events. */
export interface FeedInput {
  site: string;
  events: readonly CollectEvent[];
  ip: string;
  userAgent: string | undefined;
  receivedAtMs: number;
}

/** The collect handler's view of the gateway. */
export interface FeedSink {
  publishFeed(input: FeedInput): void;
}

/** Events per feed message: the newest ones; a dashboard shows a short list, not every event. */
export const FEED_MAX_EVENTS = 20;
/** Characters of the visitor id a feed event shows: enough to tell visitors apart on screen. */
const VISITOR_CHARS = 6;

interface Pending {
  events: Array<{ event: CollectEvent; request: FeedInput }>;
  timer: NodeJS.Timeout | undefined;
  lastSentAt: number;
}

/**
 * The live feed of raw events, per site: at most one message per COALESCE_MS per site from this node with
 * the newest FEED_MAX_EVENTS events, broadcast through the cluster adapter so dashboards on every node see
 * events posted to any node. Only the events that will be shown are turned into feed events (the ingest
 * path itself just queues references), so the feed costs the hot path almost nothing at any rate.
 */
export class LiveFeed implements FeedSink {
  readonly #pending = new Map<string, Pending>();
  #closing = false;

  constructor(
    private readonly io: RealtimeServer,
    private readonly salts: DailySaltStore,
    private readonly geoip: boolean,
    private readonly metrics: ServerMetrics,
    private readonly logger: Logger,
  ) {}

  publishFeed(input: FeedInput): void {
    if (this.#closing || input.events.length === 0) return;
    let pending = this.#pending.get(input.site);
    if (pending === undefined) {
      pending = { events: [], timer: undefined, lastSentAt: Number.NEGATIVE_INFINITY };
      this.#pending.set(input.site, pending);
    }
    for (const event of input.events) pending.events.push({ event, request: input });
    if (pending.events.length > FEED_MAX_EVENTS)
      pending.events.splice(0, pending.events.length - FEED_MAX_EVENTS);
    this.#schedule(input.site, pending);
  }

  close(): void {
    this.#closing = true;
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #schedule(site: string, pending: Pending): void {
    if (pending.timer !== undefined) return;
    const delay = Math.max(0, pending.lastSentAt + COALESCE_MS - performance.now());
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      void this.#flush(site, pending);
    }, delay);
  }

  async #flush(site: string, pending: Pending): Promise<void> {
    const batch = pending.events.splice(0);
    if (batch.length === 0) {
      this.#pending.delete(site);
      return;
    }
    pending.lastSentAt = performance.now();
    try {
      const contexts = new Map<FeedInput, RequestContext>();
      const events: FeedEvent[] = [];
      for (const { event, request } of batch) {
        let context = contexts.get(request);
        if (context === undefined) {
          context = await this.#context(request);
          contexts.set(request, context);
        }
        events.push(toFeedEvent(event, context));
      }
      if (this.#closing) return;
      this.io.to(rooms.feed(site)).emit('feed', { site, events });
      this.metrics.realtimeMessages.inc({ kind: 'feed' });
    } catch (error) {
      this.logger.warn({ err: error, site }, 'live feed message failed');
    }
    // Events that arrived while this one was built wait for the next period.
    if (pending.events.length > 0) this.#schedule(site, pending);
  }

  /** The same request context the ingest service derives (visitor id, user agent, country). */
  async #context(request: FeedInput): Promise<RequestContext> {
    const userAgent = request.userAgent ?? '';
    const salt = await this.salts.saltFor(request.receivedAtMs);
    return {
      site: request.site,
      visitor: visitorId(salt, request.site, request.ip, userAgent),
      userAgent: parseUserAgent(userAgent),
      country: this.geoip ? lookupCountry(request.ip) : undefined,
      receivedAtMs: request.receivedAtMs,
    };
  }
}

/** What the dashboard shows of an event: the path without its query string, a shortened visitor id. */
function toFeedEvent(event: CollectEvent, context: RequestContext): FeedEvent {
  const enriched = enrichEvent(event, context);
  const feed: FeedEvent = {
    id: enriched.id,
    receivedAtMs: context.receivedAtMs,
    type: enriched.type,
    path: enriched.path,
    source: enriched.source,
    device: enriched.device,
    browser: enriched.browser,
    os: enriched.os,
    visitor: enriched.visitor.slice(0, VISITOR_CHARS),
  };
  if (enriched.title !== undefined) feed.title = enriched.title;
  if (enriched.country !== undefined) feed.country = enriched.country;
  if (enriched.props !== undefined) feed.props = enriched.props;
  return feed;
}
