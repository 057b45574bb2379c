import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { DeviceType, UserAgentInfo } from '../events/enriched';

/**
 * Ingest sees the same few hundred user agents millions of times and a parse costs tens of µs, so results
 * are memoised per UA string. 10 000 entries cover the long tail of real traffic; keys are at most
 * UA_MAX_KEY_LENGTH characters, so each cache stays around 10 MB at worst, even when every UA is junk.
 */
export const USER_AGENT_CACHE_MAX_ENTRIES = 10_000;

/** ua-parser-js reads only the first 500 characters, so longer UAs share a result and a (bounded) key. */
const UA_MAX_KEY_LENGTH = 500;

const UNKNOWN = 'Unknown';

interface LruNode<V> {
  key: string;
  value: V;
  newer: LruNode<V> | undefined;
  older: LruNode<V> | undefined;
}

/**
 * A Map for lookups plus a doubly linked recency list. Not the usual "delete and re-set on every hit" Map
 * idiom: on Node 20 (V8 11.3) deleting and re-adding a key costs O(size), ~10 µs at 10 000 entries, which
 * is slower than parsing; and `keys().next()` slows down as deleted slots pile up at the front.
 */
class LruCache<V> {
  readonly #nodes = new Map<string, LruNode<V>>();
  #newest: LruNode<V> | undefined;
  #oldest: LruNode<V> | undefined;

  constructor(readonly maxEntries: number) {}

  get(key: string): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    if (node !== this.#newest) {
      this.#unlink(node);
      this.#pushNewest(node);
    }
    return node.value;
  }

  set(key: string, value: V): void {
    const existing = this.#nodes.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.get(key);
      return;
    }
    const node: LruNode<V> = { key, value, newer: undefined, older: undefined };
    this.#nodes.set(key, node);
    this.#pushNewest(node);
    const oldest = this.#oldest;
    if (this.#nodes.size > this.maxEntries && oldest !== undefined) {
      this.#unlink(oldest);
      this.#nodes.delete(oldest.key);
    }
  }

  get size(): number {
    return this.#nodes.size;
  }

  clear(): void {
    this.#nodes.clear();
    this.#newest = undefined;
    this.#oldest = undefined;
  }

  #unlink(node: LruNode<V>): void {
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }

  #pushNewest(node: LruNode<V>): void {
    node.older = this.#newest;
    if (this.#newest) this.#newest.newer = node;
    this.#newest = node;
    this.#oldest ??= node;
  }
}

const infoCache = new LruCache<UserAgentInfo>(USER_AGENT_CACHE_MAX_ENTRIES);
const botCache = new LruCache<boolean>(USER_AGENT_CACHE_MAX_ENTRIES);

const DEVICE_TYPES: Readonly<Record<string, DeviceType>> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  embedded: 'other',
};

function deviceType(uaParserType: string | undefined): DeviceType {
  // ua-parser only sets a type for non-desktop devices it recognises.
  if (uaParserType === undefined) return 'desktop';
  return DEVICE_TYPES[uaParserType] ?? 'other';
}

function majorVersion(version: string | undefined): string | undefined {
  const major = version?.split('.')[0]?.trim();
  return major ? major : undefined;
}

/** Apple's minor releases matter (iOS 17.4 vs 17.0); elsewhere the major is enough to group by. */
function shortOsVersion(os: string | undefined, version: string | undefined): string | undefined {
  if (!version) return undefined;
  if (os === 'iOS' || os === 'Mac OS') {
    const [major, minor] = version.split('.');
    return minor === undefined ? major : `${major}.${minor}`;
  }
  // Windows versions are labels ("10", "8.1", "XP") rather than semver: keep them as they are.
  if (os === 'Windows') return version;
  return majorVersion(version);
}

function parse(ua: string): UserAgentInfo {
  const result = UAParser(ua);
  const info: UserAgentInfo = {
    browser: result.browser.name || UNKNOWN,
    os: result.os.name || UNKNOWN,
    device: deviceType(result.device.type),
  };
  // Set only when known: the object is JSON-serialised and `undefined` fields would still cost a key.
  const browserVersion = result.browser.name ? majorVersion(result.browser.version) : undefined;
  if (browserVersion) info.browserVersion = browserVersion;
  const osVersion = result.os.name ? shortOsVersion(result.os.name, result.os.version) : undefined;
  if (osVersion) info.osVersion = osVersion;
  // Frozen because the same object is handed to every caller with this UA.
  return Object.freeze(info);
}

/** Browser, OS and device class of a User-Agent header; results are shared and frozen. */
export function parseUserAgent(ua: string): UserAgentInfo {
  const key = ua.length > UA_MAX_KEY_LENGTH ? ua.slice(0, UA_MAX_KEY_LENGTH) : ua;
  const cached = infoCache.get(key);
  if (cached) return cached;
  const info = parse(key);
  infoCache.set(key, info);
  return info;
}

/**
 * Whether a request comes from a crawler, monitor, preview fetcher or HTTP library. A missing or blank UA
 * counts as a bot: every browser sends one, so its absence means a script (curl -A '', raw sockets…).
 */
export function isBotUserAgent(ua: string | undefined): boolean {
  if (ua === undefined || ua.trim() === '') return true;
  // Overlong UAs bypass the cache: a bot marker may sit past any prefix we could key on, and they are rare.
  if (ua.length > UA_MAX_KEY_LENGTH) return isbot(ua);
  const cached = botCache.get(ua);
  if (cached !== undefined) return cached;
  const bot = isbot(ua);
  botCache.set(ua, bot);
  return bot;
}

/** Test hook: the number of parsed UAs held (never above USER_AGENT_CACHE_MAX_ENTRIES). */
export function userAgentCacheSize(): number {
  return infoCache.size;
}

/** Test hook: forget every cached result. */
export function clearUserAgentCaches(): void {
  infoCache.clear();
  botCache.clear();
}
