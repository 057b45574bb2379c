import type { Rng } from './prng';

/**
 * Whether a.b.c.x is public unicast, i.e. outside the special-purpose blocks of RFC 6890 and friends: a
 * visitor from one of those would get no country and could be mistaken for a proxy.
 */
function isPublic(a: number, b: number, c: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false; // this-net, private, loopback, multicast/reserved
  if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT
  if (a === 169 && b === 254) return false; // link-local
  if (a === 172 && b >= 16 && b <= 31) return false; // private
  if (a === 192 && b === 168) return false; // private
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false; // IETF protocol assignments, TEST-NET-1
  if (a === 192 && b === 88 && c === 99) return false; // 6to4 relay anycast
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a === 198 && b === 51 && c === 100) return false; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return false; // TEST-NET-3
  return true;
}

/** A random public unicast IPv4 address, sent as X-Forwarded-For so each visitor has its own IP. */
export function randomPublicIpv4(rng: Rng): string {
  for (;;) {
    const a = rng.int(1, 223);
    const b = rng.int(0, 255);
    const c = rng.int(0, 255);
    if (isPublic(a, b, c)) return `${a}.${b}.${c}.${rng.int(1, 254)}`;
  }
}

export function isPublicIpv4(address: string): boolean {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return false;
  const [a = 0, b = 0, c = 0] = parts;
  return isPublic(a, b, c);
}
