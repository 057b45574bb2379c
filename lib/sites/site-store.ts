import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { type Site, siteSchema } from './site';

/** How long a process trusts its copy of the site list; site edits reach every ingest node within this. */
export const SITE_CACHE_TTL_MS = 2_000;

/** Sites live in one Redis hash (id → JSON). Reads on the ingest path come from a short-lived cache. */
export class SiteStore {
  private cache: { loadedAtMs: number; sites: Map<string, Site> } | undefined;
  private loading: Promise<Map<string, Site>> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Site[]> {
    return [...(await this.all()).values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Site | undefined> {
    return (await this.all()).get(id);
  }

  /** Finds a site by id, or by its domain (Plausible clients send the domain). */
  async resolve(idOrDomain: string): Promise<Site | undefined> {
    const sites = await this.all();
    const byId = sites.get(idOrDomain);
    if (byId) return byId;
    const domain = idOrDomain.toLowerCase();
    for (const site of sites.values()) if (site.domain?.toLowerCase() === domain) return site;
    return undefined;
  }

  /** Stores a site unless one with its id exists; returns whether it was created. */
  async create(site: Site): Promise<boolean> {
    const created =
      (await this.redis.hsetnx(this.keys.sites, site.id, JSON.stringify(siteSchema.parse(site)))) === 1;
    this.cache = undefined;
    return created;
  }

  async remove(id: string): Promise<boolean> {
    const removed = (await this.redis.hdel(this.keys.sites, id)) === 1;
    this.cache = undefined;
    return removed;
  }

  async put(site: Site): Promise<void> {
    await this.redis.hset(this.keys.sites, site.id, JSON.stringify(siteSchema.parse(site)));
    this.cache = undefined;
  }

  private async all(): Promise<Map<string, Site>> {
    if (this.cache && this.now() - this.cache.loadedAtMs < SITE_CACHE_TTL_MS) return this.cache.sites;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, Site>> {
    const raw = await this.redis.hgetall(this.keys.sites);
    const sites = new Map<string, Site>();
    for (const [id, json] of Object.entries(raw)) {
      // A corrupt entry must not take every other site down with it.
      try {
        const parsed = siteSchema.safeParse(JSON.parse(json));
        if (parsed.success) sites.set(id, parsed.data);
      } catch {
        // unparseable JSON: skip this site
      }
    }
    this.cache = { loadedAtMs: this.now(), sites };
    return sites;
  }
}

export function demoSite(nowMs: number): Site {
  return { id: 'demo', name: 'Demo shop', allowedOrigins: [], respectDnt: false, createdAtMs: nowMs };
}
