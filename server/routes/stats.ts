import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readWindowStats } from '../../lib/aggregation/stats-reader';
import { SITE_ID_PATTERN } from '../../lib/events/schema';
import type { ServerContext } from '../context';
import { requireSiteReader } from '../http/auth';
import { badRequest, methodNotAllowed, notFound, sendJson } from '../http/respond';

const querySchema = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * `GET /api/stats/:site` lists the windows that apply to a site; `GET /api/stats/:site/:windowId` returns a
 * window's results for the site, merged across shards, newest first.
 */
export async function handleStats(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET') {
    methodNotAllowed(res, { error: 'use GET', field: 'method' }, { Allow: 'GET' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [site, windowId, ...rest] = url.pathname
    .slice('/api/stats/'.length)
    .split('/')
    .map(decodeURIComponent);
  if (site === undefined || !SITE_ID_PATTERN.test(site) || rest.length > 0) {
    badRequest(res, { error: 'expected /api/stats/:site or /api/stats/:site/:windowId', field: 'site' });
    return;
  }
  if (!(await requireSiteReader(ctx, req, res, site))) return;
  if (!(await ctx.sites.get(site))) {
    notFound(res, { error: `unknown site "${site}"`, field: 'site' });
    return;
  }
  const windows = (await ctx.windows.list()).filter(
    (w) => w.definition.site === null || w.definition.site === site,
  );
  if (windowId === undefined || windowId === '') {
    sendJson(res, 200, {
      site,
      windows: windows.map((w) => ({ ...w.definition, status: w.status, builtin: w.builtin })),
    });
    return;
  }
  const stored = windows.find((w) => w.definition.id === windowId);
  if (!stored) {
    notFound(res, { error: `unknown window "${windowId}" for site "${site}"`, field: 'windowId' });
    return;
  }
  const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const issue = query.error.issues[0];
    badRequest(res, { error: issue?.message ?? 'invalid query', field: String(issue?.path[0] ?? 'query') });
    return;
  }
  const { from, to, limit } = query.data;
  const stats = await readWindowStats(ctx.redis, ctx.keys, ctx.config.SHARDS, stored.definition, {
    site,
    limit,
    ...(from === undefined ? {} : { fromMs: from }),
    ...(to === undefined ? {} : { toMs: to }),
  });
  sendJson(res, 200, { window: { ...stored.definition, status: stored.status }, ...stats });
}
