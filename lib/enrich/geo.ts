import { createRequire } from 'node:module';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The part of geoip-country's (untyped, CommonJS) API we use. */
interface GeoipCountry {
  lookup(ip: string): unknown;
}

function isGeoipCountry(value: unknown): value is GeoipCountry {
  return (
    typeof value === 'object' && value !== null && 'lookup' in value && typeof value.lookup === 'function'
  );
}

/**
 * Addresses that are never a visitor's public address: private, loopback, link-local, CGNAT, documentation,
 * benchmarking, multicast and reserved ranges. Answering these without the database also means dev and
 * test traffic (127.0.0.1, ::1) never pays for loading it.
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/**
 * `undefined` until the first lookup, `null` if loading failed (then we stop trying: the data files do not
 * appear at runtime). Loaded lazily: loading blocks for ~15–20 ms of synchronous reads and holds ~8 MB of
 * buffers (~10 MB RSS), which processes that never geolocate (workers, CLI tools, most tests) should not pay.
 */
let database: GeoipCountry | null | undefined;

function loadDatabase(): GeoipCountry | null {
  if (database !== undefined) return database;
  try {
    const loaded: unknown = createRequire(import.meta.url)('geoip-country');
    database = isGeoipCountry(loaded) ? loaded : null;
  } catch {
    database = null;
  }
  return database;
}

/** Canonical IPv4-mapped IPv6, as the WHATWG URL serialiser writes it: "::ffff:1.2.3.4" → "[::ffff:102:304]". */
const MAPPED_IPV4 = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/;

/** The IPv4 address inside an IPv4-mapped IPv6 address, in any of its spellings, if it is one. */
function unwrapMappedIPv4(ipv6: string): string | undefined {
  // URL canonicalises IPv6 (zero compression, hex tail), so one pattern covers every way of writing it.
  const match = MAPPED_IPV4.exec(new URL(`http://[${ipv6}]/`).hostname);
  if (!match?.[1] || !match[2]) return undefined;
  const high = parseInt(match[1], 16);
  const low = parseInt(match[2], 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

type Address = { ip: string; family: 'ipv4' | 'ipv6' };

/** Canonical family and text of an address, or undefined if it is not one. */
function normaliseAddress(input: string): Address | undefined {
  const ip = input.trim();
  if (isIPv4(ip)) return { ip, family: 'ipv4' };
  // A zone id (fe80::1%eth0) names a local interface, so the address is link-local, never public.
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  const mapped = unwrapMappedIPv4(ip);
  return mapped === undefined ? { ip, family: 'ipv6' } : { ip: mapped, family: 'ipv4' };
}

const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * ISO 3166-1 alpha-2 country of a client IP, or undefined for non-public, unknown or malformed addresses.
 * Never throws.
 */
export function lookupCountry(ip: string): string | undefined {
  try {
    const address = normaliseAddress(ip);
    if (!address || NON_PUBLIC.check(address.ip, address.family)) return undefined;
    const result = loadDatabase()?.lookup(address.ip);
    if (typeof result !== 'object' || result === null || !('country' in result)) return undefined;
    const country = result.country;
    return typeof country === 'string' && COUNTRY_CODE.test(country) ? country : undefined;
  } catch {
    return undefined;
  }
}
