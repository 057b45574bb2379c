import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueToken, newSessionId, verifyToken } from '../../lib/admin/tokens';
import type { ServerContext } from '../context';
import { ownOrigins } from './cors';
import { forbidden, unauthorized } from './respond';

export const SESSION_COOKIE = 'riffle_session';
const SHARE_HEADER = 'x-riffle-share';

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Whether the request carries a valid admin session cookie. */
export async function isAdmin(
  ctx: Pick<ServerContext, 'signingKey'>,
  req: IncomingMessage,
): Promise<boolean> {
  const token = readCookie(req, SESSION_COOKIE);
  if (token === undefined) return false;
  return verifyToken(await ctx.signingKey.get(), token, Date.now())?.kind === 'session';
}

/**
 * Read access to one site's dashboard data: an admin session cookie, or a share token for that site
 * (from `?share=`, the `X-Riffle-Share` header, or a socket's handshake `auth.share`).
 */
export async function mayReadSite(
  ctx: Pick<ServerContext, 'signingKey'>,
  req: IncomingMessage,
  site: string,
  token: string | undefined,
): Promise<boolean> {
  if (await isAdmin(ctx, req)) return true;
  if (token === undefined || token === '') return false;
  const payload = verifyToken(await ctx.signingKey.get(), token, Date.now());
  return payload?.kind === 'share' && payload.site === site;
}

/** Admin APIs: 401 without a session. */
export async function requireAdmin(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (await isAdmin(ctx, req)) return true;
  unauthorized(res, { error: 'log in first: POST /api/admin/login', field: 'session' });
  return false;
}

/** The share token of a request: `?share=` or the `X-Riffle-Share` header. */
export function shareToken(req: IncomingMessage): string | undefined {
  const header = req.headers[SHARE_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('share');
  return query ?? undefined;
}

/** Dashboards and their data: an admin session, or a share link for that site. */
export async function canReadSite(ctx: ServerContext, req: IncomingMessage, site: string): Promise<boolean> {
  return mayReadSite(ctx, req, site, shareToken(req));
}

export async function requireSiteReader(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  site: string,
): Promise<boolean> {
  if (await canReadSite(ctx, req, site)) return true;
  unauthorized(res, { error: `log in, or use a share link for site "${site}"`, field: 'session' });
  return false;
}

/**
 * CSRF defence for mutating admin requests, on top of the SameSite cookie: the Origin (or, failing that,
 * the Referer) must be this server's own origin. A request with neither is refused too.
 */
export function requireSameOrigin(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): boolean {
  const own = ownOrigins(req, ctx.config.PUBLIC_URL).map((o) => o.toLowerCase());
  const origin = req.headers.origin;
  let claimed: string | undefined = typeof origin === 'string' && origin !== 'null' ? origin : undefined;
  if (claimed === undefined && typeof req.headers.referer === 'string') {
    try {
      claimed = new URL(req.headers.referer).origin;
    } catch {
      claimed = undefined;
    }
  }
  if (claimed !== undefined && own.includes(claimed.toLowerCase())) return true;
  forbidden(res, { error: 'cross-site request refused: Origin must be this server', field: 'origin' });
  return false;
}

export async function sessionCookie(ctx: ServerContext): Promise<string> {
  const maxAgeS = Math.round(ctx.config.ADMIN_SESSION_HOURS * 3600);
  const token = issueToken(await ctx.signingKey.get(), {
    kind: 'session',
    sid: newSessionId(),
    exp: Date.now() + maxAgeS * 1000,
  });
  const secure = ctx.config.PUBLIC_URL?.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${secure}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
