import type { EnrichedEvent, UserAgentInfo } from '../events/enriched';
import type { CollectEvent } from '../events/schema';
import { classifyReferrer } from './referrer';
import { parseCampaign } from './utm';

/** What the server knows about the request that carried the events. */
export interface RequestContext {
  site: string;
  visitor: string;
  userAgent: UserAgentInfo;
  country: string | undefined;
  receivedAtMs: number;
}

/** Turns a validated event into the stored form: page parts, source, campaign, device, visitor. */
export function enrichEvent(event: CollectEvent, context: RequestContext): EnrichedEvent {
  const url = new URL(event.url);
  const campaign = parseCampaign(url);
  const referrer = event.referrer === '' ? undefined : event.referrer;
  const enriched: EnrichedEvent = {
    id: event.id,
    site: context.site,
    type: event.type,
    ts: event.ts ?? context.receivedAtMs,
    url: event.url,
    host: url.host,
    path: url.pathname,
    ...classifyReferrer(referrer, url, campaign),
    ...campaign,
    ...context.userAgent,
    visitor: context.visitor,
  };
  if (referrer !== undefined) enriched.referrer = referrer;
  if (event.title !== undefined && event.title !== '') enriched.title = event.title;
  if (context.country !== undefined) enriched.country = context.country;
  if (event.props !== undefined && Object.keys(event.props).length > 0) enriched.props = event.props;
  if (event.target !== undefined) enriched.target = event.target;
  if (event.engagedMs !== undefined) enriched.engagedMs = event.engagedMs;
  if (event.screenWidth !== undefined) enriched.screenWidth = event.screenWidth;
  return enriched;
}
