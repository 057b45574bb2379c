import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed, expiring tokens for admin sessions and read-only share links: `<base64url JSON>.<HMAC-SHA256>`.
 * Stateless, so every server node accepts a token any node issued (they share the key).
 */

const payloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), sid: z.string(), exp: z.number().int() }),
  z.object({ kind: z.literal('share'), site: z.string(), exp: z.number().int().nullable() }),
]);
export type TokenPayload = z.infer<typeof payloadSchema>;

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function issueToken(key: Buffer, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The payload when the signature holds and it has not expired; undefined otherwise. */
export function verifyToken(key: Buffer, token: string, nowMs: number): TokenPayload | undefined {
  const dot = token.indexOf('.');
  if (dot < 1 || token.length > 2048) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(key, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success) return undefined;
  const { exp } = parsed.data;
  return exp === null || exp > nowMs ? parsed.data : undefined;
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}
