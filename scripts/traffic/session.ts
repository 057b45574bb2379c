import { randomPublicIpv4 } from './ip';
import { Rng, type Weighted } from './prng';
import { type Landing, pickLanding } from './referrers';
import {
  inPageActions,
  landingPage,
  linkTarget,
  nextPage,
  outboundTarget,
  type Page,
  pagePath,
  pageTitle,
  type TrafficTarget,
} from './site-map';
import { pickScreenWidth, pickUserAgent, type UserAgentProfile } from './user-agents';

/**
 * One simulated visitor: who they are (user agent, IP, screen) and the events their visit produces, each at
 * an offset from the visit's start. Pure: the same seed gives the same visitors; the caller stamps `ts`.
 */

/**
 * A collect event in long form (lib/events/schema.ts), minus `ts`, which is set when it is sent. As from the
 * snippet, only pageviews carry `referrer` and `screenWidth`.
 */
export interface TrafficEvent {
  id: string;
  type: string;
  url: string;
  title: string;
  referrer?: string;
  screenWidth?: number;
  props?: Record<string, string | number | boolean>;
  target?: TrafficTarget;
  engagedMs?: number;
}

export interface PlannedEvent {
  /** Milliseconds after the visit started. */
  atMs: number;
  event: TrafficEvent;
}

export interface VisitorPlan {
  profile: UserAgentProfile;
  ip: string;
  landing: Landing;
  /** Pages the walk was drawn to visit; an outbound click can end the visit earlier. */
  plannedPages: number;
  pageviews: number;
  durationMs: number;
  events: PlannedEvent[];
}

export interface ModelOptions {
  seed: string;
  /** Origin (and optional path prefix) the demo shop is served from. */
  baseUrl: string;
  /** Multiplies every think time; < 1 compresses visits so a short run reaches its steady rate. */
  thinkScale?: number;
  /** Wall-clock time for date-dependent data (the newsletter's campaign month). */
  nowMs?: number;
}

export const MAX_PAGES = 12;
/** Per-page stop probability of the geometric session length, tuned so that the truncated mean is ≈ 4. */
export const SESSION_STOP_PROBABILITY = 0.21;

/** P(length = k) for k = 1…MAX_PAGES: geometric, truncated at MAX_PAGES and renormalised. */
export function sessionLengthWeights(): Weighted<number>[] {
  const q = 1 - SESSION_STOP_PROBABILITY;
  const norm = 1 - q ** MAX_PAGES;
  return Array.from({ length: MAX_PAGES }, (_, i) => ({
    value: i + 1,
    weight: (SESSION_STOP_PROBABILITY * q ** i) / norm,
  }));
}

const SESSION_LENGTHS = sessionLengthWeights();

export function sampleSessionLength(rng: Rng): number {
  return rng.weighted(SESSION_LENGTHS);
}

/** Think time per page: log-normal, median 15 s with a long right tail, clamped to 2 s … 10 min. */
export function sampleDwellMs(rng: Rng): number {
  return Math.min(600_000, Math.max(2_000, rng.logNormal(15_000, 0.9)));
}

export class TrafficModel {
  private readonly rng: Rng;
  private readonly baseUrl: string;
  private readonly thinkScale: number;
  private readonly nowMs: number;

  constructor(options: ModelOptions) {
    this.rng = new Rng(options.seed);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.thinkScale = options.thinkScale ?? 1;
    this.nowMs = options.nowMs ?? Date.now();
  }

  /**
   * A visit as the snippet reports it: per page a pageview and maybe custom events; then a click on an
   * internal link, the engagement of the page left behind and the next pageview; at the end (last page or
   * an outbound click) the engagement of the last page and a leave.
   */
  nextVisitor(): VisitorPlan {
    const rng = this.rng;
    const profile = pickUserAgent(rng);
    const screenWidth = pickScreenWidth(rng, profile.device);
    const ip = randomPublicIpv4(rng);
    const landing = pickLanding(rng, this.nowMs);
    const plannedPages = sampleSessionLength(rng);
    const events: PlannedEvent[] = [];
    const emit = (atMs: number, event: Omit<TrafficEvent, 'id'>) => {
      events.push({ atMs: Math.round(atMs), event: { id: rng.alphanumeric(16), ...event } });
    };
    // Engaged time is the unscaled dwell (what a real visitor would have spent, minus moments the tab was
    // hidden), so engagement figures look real even when think times are compressed.
    const engagedMs = (dwellMs: number) => Math.round(dwellMs * (0.6 + 0.4 * rng.next()));

    let page: Page = landingPage(rng, landing.kind);
    let url = this.url(page, landing.query);
    let referrer = landing.referrer;
    let t = 0;
    let pageviews = 0;
    let cartItems = 0;
    let dwellMs = 0;
    for (let index = 0; index < plannedPages; index++) {
      const onPage = { url, title: pageTitle(page) };
      emit(t, { type: 'pageview', ...onPage, referrer, screenWidth });
      pageviews++;
      dwellMs = sampleDwellMs(rng);
      const dwell = dwellMs * this.thinkScale;

      const actionAt = t + dwell * (0.2 + 0.6 * rng.next());
      for (const action of inPageActions(rng, page, cartItems)) {
        emit(actionAt, { ...onPage, ...action });
        if (action.type === 'add_to_cart') cartItems++;
        if (action.type === 'checkout') cartItems = 0;
      }

      const outbound = outboundTarget(rng, page);
      if (outbound) {
        t += dwell * 0.9;
        emit(t, { type: 'click', ...onPage, target: outbound });
        break;
      }
      t += dwell;
      if (index === plannedPages - 1) break;

      const next = nextPage(rng, page, cartItems > 0);
      const nextUrl = this.url(next, '');
      emit(t, {
        type: 'click',
        ...onPage,
        target: { ...linkTarget(rng, page, next, cartItems), href: nextUrl },
      });
      // Client-side navigation: the next pageview follows the click after a short render delay, and the
      // snippet reports the engagement of the page left behind just before it.
      t += (100 + 300 * rng.next()) * Math.min(1, this.thinkScale * 4);
      emit(t, { type: 'engagement', ...onPage, engagedMs: engagedMs(dwellMs) });
      referrer = url;
      url = nextUrl;
      page = next;
    }

    // Leaving (pagehide): the engagement of the last page, then the leave itself.
    const lastPage = { url, title: pageTitle(page) };
    emit(t, { type: 'engagement', ...lastPage, engagedMs: engagedMs(dwellMs) });
    emit(t, { type: 'leave', ...lastPage });
    return { profile, ip, landing, plannedPages, pageviews, durationMs: Math.round(t), events };
  }

  private url(page: Page, query: string): string {
    return `${this.baseUrl}${pagePath(page)}${query ? `?${query}` : ''}`;
  }
}

export interface VisitorShape {
  visits: number;
  meanEvents: number;
  meanDurationMs: number;
  /** Every sampled event's offset from the start of its visit (for the arrival warm-up). */
  eventAgesMs: number[];
}

/** Samples visits (with their own seed) to learn the mean events and duration per visit and their timing. */
export function estimateVisitorShape(seed: string, thinkScale = 1, samples = 4000): VisitorShape {
  const model = new TrafficModel({
    seed: `${seed}\u0000estimate`,
    baseUrl: 'http://127.0.0.1',
    thinkScale,
    nowMs: 0,
  });
  const eventAgesMs: number[] = [];
  let duration = 0;
  for (let i = 0; i < samples; i++) {
    const visitor = model.nextVisitor();
    for (const planned of visitor.events) eventAgesMs.push(planned.atMs);
    duration += visitor.durationMs;
  }
  return {
    visits: samples,
    meanEvents: eventAgesMs.length / samples,
    meanDurationMs: duration / samples,
    eventAgesMs,
  };
}
