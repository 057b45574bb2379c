import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { issueToken } from '../../../lib/admin/tokens';
import { siteSchema } from '../../../lib/sites/site';
import { recentEvents } from '../../../lib/streams/recent';
import type { ServerContext } from '../../context';
import { requireSameOrigin } from '../../http/auth';
import { ownOrigins } from '../../http/cors';
import { readJson } from '../../http/json-body';
import { badRequest, notFound, sendJson } from '../../http/respond';

const createSiteSchema = siteSchema.omit({ createdAtMs: true });
// Explicit rather than `.partial()`: zod still applies `.default()` inside optional fields, so a partial
// schema would reset allowedOrigins/respectDnt whenever a PATCH leaves them out.
const patchSiteSchema = z.object({
  name: siteSchema.shape.name.optional(),
  domain: siteSchema.shape.domain,
  allowedOrigins: siteSchema.shape.allowedOrigins.removeDefault().optional(),
  respectDnt: siteSchema.shape.respectDnt.removeDefault().optional(),
});
const shareSchema = z.object({
  expiresInHours: z
    .number()
    .positive()
    .max(24 * 365)
    .optional(),
});

/** `GET /api/admin/sites`. */
export async function listSites(
  ctx: ServerContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  sendJson(res, 200, { sites: await ctx.sites.list() });
}

/** `POST /api/admin/sites` → 201 with the site and its snippet; 409 when the id is taken. */
export async function createSite(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const body = await readJson(req, res, createSiteSchema);
  if (body === undefined) return;
  const site = { ...body, createdAtMs: Date.now() };
  if (!(await ctx.sites.create(site))) {
    sendJson(res, 409, { error: `a site "${site.id}" already exists`, field: 'id' });
    return;
  }
  sendJson(res, 201, { site, snippet: snippetFor(ctx, req, site.id) });
}

export async function updateSite(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const current = await ctx.sites.get(id);
  if (!current) {
    notFound(res, { error: `no site "${id}"`, field: 'id' });
    return;
  }
  const patch = await readJson(req, res, patchSiteSchema);
  if (patch === undefined) return;
  const next = {
    ...current,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  };
  await ctx.sites.put(next);
  sendJson(res, 200, { site: next });
}

export async function deleteSite(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  if (!(await ctx.sites.remove(id))) {
    notFound(res, { error: `no site "${id}"`, field: 'id' });
    return;
  }
  sendJson(res, 200, { deleted: id });
}

/** `GET /api/admin/sites/:id/verify`: has the snippet delivered anything yet? */
export async function verifySite(
  ctx: ServerContext,
  _req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!(await ctx.sites.get(id))) {
    notFound(res, { error: `no site "${id}"`, field: 'id' });
    return;
  }
  const { events } = await recentEvents(ctx.redis, ctx.keys, ctx.config.SHARDS, 200, id);
  const newest = events[0];
  sendJson(res, 200, {
    installed: newest !== undefined,
    lastEventAtMs: newest ? Number(newest.streamId.split('-')[0]) : null,
    lastEventPath: newest?.event.path ?? null,
  });
}

/** `POST /api/admin/sites/:id/share {"expiresInHours"?}` → a signed read-only dashboard link. */
export async function shareSite(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  if (!(await ctx.sites.get(id))) {
    notFound(res, { error: `no site "${id}"`, field: 'id' });
    return;
  }
  const body = await readJson(req, res, shareSchema);
  if (body === undefined) return;
  const expiresAtMs = body.expiresInHours === undefined ? null : Date.now() + body.expiresInHours * 3_600_000;
  const token = issueToken(await ctx.signingKey.get(), { kind: 'share', site: id, exp: expiresAtMs });
  const origin = ownOrigins(req, ctx.config.PUBLIC_URL)[0] ?? '';
  sendJson(res, 201, {
    token,
    expiresAtMs,
    url: `${origin}/dashboard/${id}?share=${encodeURIComponent(token)}`,
  });
}

function snippetFor(ctx: ServerContext, req: IncomingMessage, site: string): string {
  const origin = ctx.config.PUBLIC_URL?.replace(/\/$/, '') ?? ownOrigins(req, undefined)[0] ?? '';
  return `<script defer src="${origin}/js/script.js" data-site="${site}"></script>`;
}

export function badSiteId(res: ServerResponse): void {
  badRequest(res, { error: 'site id expected in the path', field: 'id' });
}
