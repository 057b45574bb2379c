import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { passwordMatches } from '../../../lib/admin/password';
import type { ServerContext } from '../../context';
import { clearedSessionCookie, isAdmin, requireSameOrigin, sessionCookie } from '../../http/auth';
import { clientIp } from '../../http/client-ip';
import { readJson } from '../../http/json-body';
import { sendJson, serviceUnavailable, tooManyRequests, unauthorized } from '../../http/respond';

const loginSchema = z.object({ password: z.string().min(1, 'password is required').max(1024) });

const limiters = new WeakMap<ServerContext, RateLimiterRedis>();
function loginLimiter(ctx: ServerContext): RateLimiterRedis {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = new RateLimiterRedis({
      storeClient: ctx.redis,
      keyPrefix: ctx.keys.rateLimit('login'),
      points: ctx.config.LOGIN_ATTEMPTS_PER_15_MIN,
      duration: 15 * 60,
    });
    limiters.set(ctx, limiter);
  }
  return limiter;
}

/** `POST /api/admin/login {"password"}`: sets the session cookie; failed attempts are limited per client IP. */
export async function login(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const configured = ctx.config.ADMIN_PASSWORD;
  if (configured === undefined) {
    serviceUnavailable(res, { error: 'admin login is disabled: set ADMIN_PASSWORD', field: 'password' });
    return;
  }
  const limiter = loginLimiter(ctx);
  // Limiter keys hold a hash of the IP, never the IP itself.
  const ipKey = createHmac('sha256', await ctx.signingKey.get())
    .update(clientIp(req, ctx.config.TRUST_PROXY))
    .digest('base64url')
    .slice(0, 16);
  const state = await limiter.get(ipKey);
  if (state !== null && state.remainingPoints <= 0) {
    tooManyRequests(
      res,
      { error: 'too many failed logins; try again later', field: 'password' },
      state.msBeforeNext,
    );
    return;
  }
  const body = await readJson(req, res, loginSchema);
  if (body === undefined) return;
  if (!passwordMatches(body.password, configured)) {
    try {
      await limiter.consume(ipKey);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    }
    unauthorized(res, { error: 'wrong password', field: 'password' });
    return;
  }
  await limiter.delete(ipKey);
  res.setHeader('Set-Cookie', await sessionCookie(ctx));
  sendJson(res, 200, { authenticated: true });
}

/** `POST /api/admin/logout`. */
export async function logout(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  res.setHeader('Set-Cookie', clearedSessionCookie());
  sendJson(res, 200, { authenticated: false });
}

/** `GET /api/admin/session`: whether the caller is logged in (the UI's login gate). */
export async function session(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, {
    authenticated: await isAdmin(ctx, req),
    loginEnabled: ctx.config.ADMIN_PASSWORD !== undefined,
  });
}
