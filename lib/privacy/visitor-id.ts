import { createHmac } from 'node:crypto';

/**
 * Cookieless visitor id (Plausible's model): HMAC(daily salt, site, IP, user agent). The salt changes every
 * UTC day and is deleted, so ids cannot be linked across days or sites, and the IP is never stored.
 * 16 base64url characters = 96 bits: collisions are negligible for any realistic daily audience.
 */
export function visitorId(salt: Buffer, site: string, ip: string, userAgent: string): string {
  return createHmac('sha256', salt).update(`${site}\n${ip}\n${userAgent}`).digest('base64url').slice(0, 16);
}
