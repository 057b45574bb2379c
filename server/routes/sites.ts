import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context';
import { requireAdmin } from '../http/auth';
import { methodNotAllowed, sendJson } from '../http/respond';

/** `GET /api/sites`: the configured sites (what the admin page lists with their snippets). */
export async function handleSites(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET') {
    methodNotAllowed(res, { error: 'use GET', field: 'method' }, { Allow: 'GET' });
    return;
  }
  if (!(await requireAdmin(ctx, req, res))) return;
  sendJson(res, 200, { sites: await ctx.sites.list() });
}
