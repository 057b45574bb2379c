import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type TrustProxy = 'false' | 'true' | 'loopback';

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client's IP. X-Forwarded-For is believed only from trusted peers, and read from the right: each
 * trusted proxy appends the address it saw, so the rightmost untrusted entry is the real client.
 */
export function clientIp(req: IncomingMessage, trust: TrustProxy): string {
  const peer = req.socket.remoteAddress ?? '';
  const trusted = (address: string) => trust === 'true' || (trust === 'loopback' && isLoopback(address));
  const forwarded = req.headers['x-forwarded-for'];
  if (!trusted(peer) || typeof forwarded !== 'string') return normalize(peer);
  const hops = forwarded
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop !== undefined && (i === 0 || !trusted(hop))) return normalize(hop);
  }
  return normalize(peer);
}
