import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAdminHealth } from '../../../lib/aggregation/pipeline-health';
import type { ServerContext } from '../../context';
import { requireAdmin } from '../../http/auth';
import { methodNotAllowed, notFound, sendJson } from '../../http/respond';
import { login, logout, session } from './session';
import { createSite, deleteSite, listSites, shareSite, updateSite, verifySite } from './sites';
import { createWindow, deleteWindow, listWindows, previewWindow, updateWindow } from './windows';

type Handler = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse, id: string) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** Reachable without a session (login itself, and the session probe). */
  public?: boolean;
}

const ID = '([a-z0-9][a-z0-9_-]{0,63})';

const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/api\/admin\/login$/, handler: login, public: true },
  { method: 'POST', pattern: /^\/api\/admin\/logout$/, handler: logout, public: true },
  { method: 'GET', pattern: /^\/api\/admin\/session$/, handler: session, public: true },
  { method: 'GET', pattern: /^\/api\/admin\/sites$/, handler: listSites },
  { method: 'POST', pattern: /^\/api\/admin\/sites$/, handler: createSite },
  { method: 'PATCH', pattern: new RegExp(`^/api/admin/sites/${ID}$`), handler: updateSite },
  { method: 'DELETE', pattern: new RegExp(`^/api/admin/sites/${ID}$`), handler: deleteSite },
  { method: 'GET', pattern: new RegExp(`^/api/admin/sites/${ID}/verify$`), handler: verifySite },
  { method: 'POST', pattern: new RegExp(`^/api/admin/sites/${ID}/share$`), handler: shareSite },
  { method: 'GET', pattern: /^\/api\/admin\/windows$/, handler: listWindows },
  { method: 'POST', pattern: /^\/api\/admin\/windows$/, handler: createWindow },
  { method: 'POST', pattern: /^\/api\/admin\/windows\/preview$/, handler: previewWindow },
  { method: 'PATCH', pattern: new RegExp(`^/api/admin/windows/${ID}$`), handler: updateWindow },
  { method: 'DELETE', pattern: new RegExp(`^/api/admin/windows/${ID}$`), handler: deleteWindow },
  { method: 'GET', pattern: /^\/api\/admin\/health$/, handler: health },
];

async function health(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await readAdminHealth(ctx.redis, ctx.keys, ctx.config.SHARDS));
}

/** `/api/admin/*`: every route but login and the session probe needs an admin session. */
export async function handleAdmin(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const matching = ROUTES.filter((route) => route.pattern.test(path));
  if (matching.length === 0) {
    notFound(res, { error: `no admin route ${path}`, field: 'path' });
    return;
  }
  const route = matching.find((r) => r.method === req.method);
  if (!route) {
    methodNotAllowed(
      res,
      { error: `use ${matching.map((r) => r.method).join(' or ')}`, field: 'method' },
      {
        Allow: matching.map((r) => r.method).join(', '),
      },
    );
    return;
  }
  if (!route.public && !(await requireAdmin(ctx, req, res))) return;
  const id = route.pattern.exec(path)?.[1] ?? '';
  await route.handler(ctx, req, res, id);
}
