/**
 * The event as stored in a shard: the validated input plus what the server derived from the request.
 * Flat, with field names that window definitions and SQL use directly (`path`, `source`, `utm_campaign`…).
 * Optional fields are omitted, not null, to keep stream entries small.
 */

export type SourceType = 'direct' | 'internal' | 'search' | 'social' | 'email' | 'paid' | 'referral';
export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'tv' | 'console' | 'wearable' | 'other';

export interface UserAgentInfo {
  browser: string;
  browserVersion?: string;
  os: string;
  osVersion?: string;
  device: DeviceType;
}

export interface ReferrerInfo {
  /** Display name of the source: "Google", "Twitter", "news.ycombinator.com", "Direct / None"… */
  source: string;
  sourceType: SourceType;
  /** Registrable domain of the referrer (eTLD+1), when there is a referrer. */
  referrerDomain?: string;
}

export interface CampaignInfo {
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  /** Which ad click id the URL carried (gclid, fbclid, msclkid, …), never its value. */
  clickId?: string;
}

export interface EventTarget {
  selector?: string;
  tag?: string;
  text?: string;
  href?: string;
  outbound?: boolean;
}

export interface EnrichedEvent extends UserAgentInfo, ReferrerInfo, CampaignInfo {
  /** The client-made event id (dedupe key). */
  id: string;
  site: string;
  /** pageview | click | engagement | leave | a custom event name. */
  type: string;
  /** Client timestamp in ms (clamped later per window definition); the receive time when absent. */
  ts: number;
  url: string;
  host: string;
  path: string;
  title?: string;
  referrer?: string;
  country?: string;
  /** Cookieless visitor id: hash(daily salt, site, IP, UA). Also the partition key. */
  visitor: string;
  props?: Record<string, string | number | boolean>;
  target?: EventTarget;
  engagedMs?: number;
  screenWidth?: number;
}
