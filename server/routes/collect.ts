import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EventRejection, parseCollectBody } from '../../lib/events/collect-request';
import { parsePlausibleBody } from '../../lib/events/plausible';
import { type CollectEvent, LIMITS } from '../../lib/events/schema';
import type { IngestOutcome } from '../../lib/ingest/ingest-service';
import { isOriginAllowed, type Site } from '../../lib/sites/site';
import type { ServerContext } from '../context';
import { BodyTooLargeError, mediaType, readBody } from '../http/body';
import { clientIp } from '../http/client-ip';
import { allowOrigin, answerPreflight, ownOrigins, requestOrigin } from '../http/cors';
import {
  badRequest,
  forbidden,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  sendJson,
  serviceUnavailable,
  tooManyRequests,
  unsupportedMediaType,
} from '../http/respond';

type Endpoint = 'collect' | 'event';

const ACCEPTED_MEDIA_TYPES = new Set(['application/json', 'text/plain']);

/** Reads the body of a collect request, answering the transport-level errors itself. */
async function readCollectBody(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<string | undefined> {
  if (req.method === 'OPTIONS') {
    answerPreflight(req, res);
    return undefined;
  }
  allowOrigin(res, requestOrigin(req));
  if (req.method !== 'POST') {
    methodNotAllowed(res, { error: 'use POST', field: 'method' }, { Allow: 'POST, OPTIONS' });
    return undefined;
  }
  const type = mediaType(req);
  if (type === undefined || !ACCEPTED_MEDIA_TYPES.has(type)) {
    unsupportedMediaType(res, {
      error: `content type must be application/json or text/plain (got ${type ?? 'none'})`,
      field: 'content-type',
    });
    return undefined;
  }
  try {
    return await readBody(req, LIMITS.maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    ctx.metrics.rejected.inc({ field: 'body' });
    payloadTooLarge(res, { error: `body must be at most ${LIMITS.maxBodyBytes} bytes`, field: 'body' });
    // Stop reading an oversized upload; the response above is all the client gets.
    req.destroy();
    return undefined;
  }
}

/** Site lookup, origin allowlist and rate limits; answers the error and returns false when refused. */
async function authorize(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  siteId: string,
  eventCount: number,
): Promise<{ site: Site; ip: string } | undefined> {
  const site = await ctx.sites.resolve(siteId);
  if (!site) {
    notFound(res, { error: `unknown site "${siteId}"`, field: 'site' });
    return undefined;
  }
  const origin = requestOrigin(req);
  if (!isOriginAllowed(site, origin, ownOrigins(req, ctx.config.PUBLIC_URL))) {
    res.removeHeader('Access-Control-Allow-Origin');
    forbidden(res, { error: `origin ${origin} is not allowed for site "${site.id}"`, field: 'origin' });
    return undefined;
  }
  const ip = clientIp(req, ctx.config.TRUST_PROXY);
  const salt = await ctx.salts.saltFor(Date.now());
  const verdict = await ctx.rateLimits.check(ip, salt, site.id, eventCount);
  if (verdict.limited) {
    const what = verdict.scope === 'ip' ? 'requests from this client' : `events for site "${site.id}"`;
    tooManyRequests(
      res,
      { error: `rate limit exceeded for ${what}`, field: verdict.scope },
      verdict.retryAfterMs,
    );
    return undefined;
  }
  return { site, ip };
}

function privacySignal(req: IncomingMessage): boolean {
  return req.headers['dnt'] === '1' || req.headers['sec-gpc'] === '1';
}

function record(ctx: ServerContext, outcome: IngestOutcome, rejected: readonly EventRejection[]): void {
  const { metrics } = ctx;
  metrics.countEvents('accepted', outcome.accepted);
  metrics.countEvents('duplicate', outcome.duplicates);
  metrics.countEvents('bot', outcome.dropped.bot);
  metrics.countEvents('dnt', outcome.dropped.dnt);
  metrics.countEvents('rejected', rejected.length);
  for (const rejection of rejected) {
    const field = rejection.field.split('.')[0] ?? 'event';
    metrics.rejected.inc({ field });
    ctx.counters.add(`rejected:${field}`, 1);
  }
  ctx.counters.add('accepted', outcome.accepted);
  ctx.counters.add('duplicate', outcome.duplicates);
  ctx.counters.add('bot', outcome.dropped.bot);
  ctx.counters.add('dnt', outcome.dropped.dnt);
  for (const write of outcome.shards)
    metrics.shardWrite.observe({ shard: String(write.shard) }, write.latencyMs / 1000);
}

async function store(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  auth: { site: Site; ip: string },
  events: CollectEvent[],
  rejected: EventRejection[],
): Promise<void> {
  let outcome: IngestOutcome;
  const receivedAtMs = Date.now();
  try {
    outcome = await ctx.ingest.ingest({
      site: auth.site,
      events,
      ip: auth.ip,
      userAgent: req.headers['user-agent'],
      privacySignal: privacySignal(req),
    });
  } catch (error) {
    ctx.logger.error({ err: error }, 'ingest failed');
    serviceUnavailable(
      res,
      { error: 'event storage is unavailable; retry later', field: 'storage' },
      { 'Retry-After': '1' },
    );
    return;
  }
  record(ctx, outcome, rejected);
  // The live feed: only new events (a retry whose events were all stored before shows nothing twice).
  if (outcome.accepted > outcome.duplicates) {
    ctx.realtime?.publishFeed({
      site: auth.site.id,
      events,
      ip: auth.ip,
      userAgent: req.headers['user-agent'],
      receivedAtMs,
    });
  }
  const dropped = outcome.dropped.bot + outcome.dropped.dnt > 0 ? { dropped: outcome.dropped } : {};
  sendJson(res, 202, { accepted: outcome.accepted, duplicates: outcome.duplicates, rejected, ...dropped });
}

/** `POST /api/collect`: a batch of events in Riffle's format (long or short keys). */
export async function handleCollect(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readCollectBody(ctx, req, res);
  if (body === undefined) return;
  const parsed = parseCollectBody(body, Date.now());
  if (!parsed.ok) {
    const { problem } = parsed;
    ctx.metrics.rejected.inc({ field: problem.field });
    const respond = problem.kind === 'too_many_events' ? payloadTooLarge : badRequest;
    respond(res, { error: problem.message, field: problem.field });
    return;
  }
  const { site: siteId, events, rejected } = parsed.value;
  if (events.length === 0) {
    record(ctx, { accepted: 0, duplicates: 0, dropped: { bot: 0, dnt: 0 }, shards: [] }, rejected);
    badRequest(res, { error: 'no valid events in the request', field: 'events', accepted: 0, rejected });
    return;
  }
  const auth = await authorize(ctx, req, res, siteId, events.length);
  if (!auth) return;
  await store(
    ctx,
    req,
    res,
    auth,
    events.map((entry) => entry.event),
    rejected,
  );
}

/** `POST /api/event`: one event in Plausible's Events API shape. */
export async function handlePlausibleEvent(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readCollectBody(ctx, req, res);
  if (body === undefined) return;
  const parsed = parsePlausibleBody(body, Date.now());
  if (!parsed.ok) {
    ctx.metrics.rejected.inc({ field: parsed.field.split('.')[0] ?? 'event' });
    badRequest(res, { error: `${parsed.field} ${parsed.error}`, field: parsed.field });
    return;
  }
  const auth = await authorize(ctx, req, res, parsed.domain, 1);
  if (!auth) return;
  await store(ctx, req, res, auth, [parsed.event], []);
}

export const collectEndpoints: Record<string, { endpoint: Endpoint; handler: typeof handleCollect }> = {
  '/api/collect': { endpoint: 'collect', handler: handleCollect },
  '/api/event': { endpoint: 'event', handler: handlePlausibleEvent },
};
