import { enrichEvent } from '../enrich/enrich-event';
import { lookupCountry } from '../enrich/geo';
import { isBotUserAgent, parseUserAgent } from '../enrich/user-agent';
import type { CollectEvent } from '../events/schema';
import type { DailySaltStore } from '../privacy/salt-store';
import { visitorId } from '../privacy/visitor-id';
import type { Site } from '../sites/site';
import type { ShardWrite, StreamWriter } from '../streams/writer';

export interface IngestRequest {
  site: Site;
  events: readonly CollectEvent[];
  ip: string;
  userAgent: string | undefined;
  /** The browser sent DNT: 1 or Sec-GPC: 1. */
  privacySignal: boolean;
}

export interface IngestOutcome {
  /** Events now stored (including repeats of events stored earlier: a retry succeeds). */
  accepted: number;
  /** Of the accepted, how many were repeats already stored within the dedupe horizon. */
  duplicates: number;
  /** Events dropped on purpose, by reason; they are not stored and must not be re-sent. */
  dropped: { bot: number; dnt: number };
  shards: ShardWrite[];
}

export interface IngestServiceOptions {
  geoip: boolean;
  now?: () => number;
}

/** Enriches a request's valid events and writes them to their shards. */
export class IngestService {
  private readonly now: () => number;

  constructor(
    private readonly writer: StreamWriter,
    private readonly salts: DailySaltStore,
    private readonly options: IngestServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const count = request.events.length;
    const none = { accepted: 0, duplicates: 0, shards: [] };
    if (isBotUserAgent(request.userAgent)) return { ...none, dropped: { bot: count, dnt: 0 } };
    if (request.site.respectDnt && request.privacySignal) return { ...none, dropped: { bot: 0, dnt: count } };

    const receivedAtMs = this.now();
    const userAgent = request.userAgent ?? '';
    const salt = await this.salts.saltFor(receivedAtMs);
    const context = {
      site: request.site.id,
      visitor: visitorId(salt, request.site.id, request.ip, userAgent),
      userAgent: parseUserAgent(userAgent),
      country: this.options.geoip ? lookupCountry(request.ip) : undefined,
      receivedAtMs,
    };
    const enriched = request.events.map((event) => enrichEvent(event, context));
    const written = await this.writer.append(enriched);
    return {
      accepted: written.appended + written.duplicates,
      duplicates: written.duplicates,
      dropped: { bot: 0, dnt: 0 },
      shards: written.shards,
    };
  }
}
