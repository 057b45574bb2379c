import { z } from 'zod';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { type WindowDefinition, windowDefinitionSchema } from '../windows/definition';
import { canonical } from './canonical';

export const windowStatusSchema = z.enum(['running', 'paused']);
export type WindowStatus = z.infer<typeof windowStatusSchema>;

export const startPositionSchema = z.enum(['now', 'trim_horizon']);
export type StartPosition = z.infer<typeof startPositionSchema>;

const storedWindowSchema = z.object({
  definition: windowDefinitionSchema,
  status: windowStatusSchema,
  builtin: z.boolean(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  /** Where a new version starts: at each shard's current position, or from the start of retention (back-fill). */
  startFrom: startPositionSchema.default('now'),
  /** The SQL the definition was written in, when it was (shown back in the editor). */
  sql: z.string().max(20_000).optional(),
});

export type StoredWindow = z.infer<typeof storedWindowSchema>;
export type StoredWindowInput = z.input<typeof storedWindowSchema>;

/**
 * Window definitions live in one Redis hash (id → JSON), with a revision counter bumped on every change so
 * workers can poll cheaply and pick changes up within one poll interval, without a restart.
 */
export class DefinitionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async revision(): Promise<number> {
    return Number((await this.redis.get(this.keys.windowsRevision)) ?? 0);
  }

  async list(): Promise<StoredWindow[]> {
    const raw = await this.redis.hgetall(this.keys.windows);
    const windows: StoredWindow[] = [];
    for (const json of Object.values(raw)) {
      try {
        const parsed = storedWindowSchema.safeParse(JSON.parse(json));
        if (parsed.success) windows.push(parsed.data);
      } catch {
        // a corrupt entry must not take the other windows down
      }
    }
    return windows.sort((a, b) => a.definition.id.localeCompare(b.definition.id));
  }

  async get(id: string): Promise<StoredWindow | undefined> {
    const json = await this.redis.hget(this.keys.windows, id);
    if (json === null) return undefined;
    const parsed = storedWindowSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  }

  async put(window: StoredWindowInput): Promise<void> {
    await this.redis.hset(
      this.keys.windows,
      window.definition.id,
      JSON.stringify(storedWindowSchema.parse(window)),
    );
    await this.redis.incr(this.keys.windowsRevision);
  }

  async remove(id: string): Promise<boolean> {
    const removed = (await this.redis.hdel(this.keys.windows, id)) === 1;
    if (removed) await this.redis.incr(this.keys.windowsRevision);
    return removed;
  }

  /**
   * Creates the built-in windows that do not exist yet (first start), and brings unedited built-ins up to
   * date after an upgrade (same version, different definition); a built-in an admin edited (a higher
   * version) or paused keeps its edits and status.
   */
  async ensureBuiltins(builtins: readonly WindowDefinition[], nowMs: number): Promise<number> {
    let changed = 0;
    for (const definition of builtins) {
      const existing = await this.get(definition.id);
      if (existing?.builtin && existing.definition.version === definition.version) {
        if (canonical(existing.definition) === canonical(definition)) continue;
        await this.redis.hset(
          this.keys.windows,
          definition.id,
          JSON.stringify({ ...existing, definition, updatedAtMs: nowMs }),
        );
        changed++;
        continue;
      }
      if (existing) continue;
      const stored: StoredWindow = {
        definition,
        status: 'running',
        builtin: true,
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
        startFrom: 'trim_horizon',
      };
      if ((await this.redis.hsetnx(this.keys.windows, definition.id, JSON.stringify(stored))) === 1)
        changed++;
    }
    if (changed > 0) await this.redis.incr(this.keys.windowsRevision);
    return changed;
  }
}

/** The engine/state namespace of one definition version: `<id>@<version>`. */
export function definitionRef(definition: Pick<WindowDefinition, 'id' | 'version'>): string {
  return `${definition.id}@${definition.version}`;
}
