import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { recentEvents } from '../../lib/streams/recent';
import type { ServerContext } from '../context';
import { requireAdmin, requireSiteReader } from '../http/auth';
import { badRequest, sendJson } from '../http/respond';

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(25),
  site: z.string().max(64).optional(),
});

/** `GET /api/streams/recent?limit=&site=`: the newest stored events and per-shard stream sizes. */
export async function handleRecentEvents(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const issue = query.error.issues[0];
    badRequest(res, { error: issue?.message ?? 'invalid query', field: String(issue?.path[0] ?? 'query') });
    return;
  }
  const { limit, site } = query.data;
  // Raw events: one site's for its readers, every site's for admins only.
  const allowed =
    site === undefined ? await requireAdmin(ctx, req, res) : await requireSiteReader(ctx, req, res, site);
  if (!allowed) return;
  sendJson(res, 200, await recentEvents(ctx.redis, ctx.keys, ctx.config.SHARDS, limit, site));
}
