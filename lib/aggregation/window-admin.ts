import { z } from 'zod';
import { type WindowDefinition, windowDefinitionSchema } from '../windows/definition';
import { canonical } from './canonical';
import {
  type DefinitionStore,
  type StartPosition,
  type StoredWindow,
  startPositionSchema,
  windowStatusSchema,
} from './definition-store';

/** An SQL error positioned in the query text (1-based). */
export interface SqlProblem {
  message: string;
  line: number;
  column: number;
  token?: string;
  expected?: string[];
}

export type SqlCompiler = (
  sql: string,
  options: { id: string; name?: string; version?: number; site?: string | null },
) => { ok: true; definition: WindowDefinition } | { ok: false; error: SqlProblem };

export type AdminProblem =
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'sql'; problem: SqlProblem }
  | { kind: 'not_found'; field: string; message: string }
  | { kind: 'conflict'; field: string; message: string };

export type AdminResult<T> = { ok: true; value: T } | { ok: false; problem: AdminProblem };

/** A window written either as a definition (version assigned here) or as SQL. */
const windowInputShape = {
  sql: z.string().min(1).max(20_000).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  site: z.string().nullable().optional(),
};
const hasSqlOrDefinition = {
  check: (input: { sql?: string | undefined; definition?: Record<string, unknown> | undefined }) =>
    input.sql !== undefined || input.definition !== undefined,
  message: { message: 'send a "definition" object or "sql" text', path: ['definition'] },
};

export const windowInputSchema = z
  .object(windowInputShape)
  .refine(hasSqlOrDefinition.check, hasSqlOrDefinition.message);
export type WindowInput = z.infer<typeof windowInputSchema>;

export const createWindowSchema = z
  .object({
    ...windowInputShape,
    status: windowStatusSchema.default('running'),
    start: startPositionSchema.default('now'),
  })
  .refine(hasSqlOrDefinition.check, hasSqlOrDefinition.message);

export const patchWindowSchema = z.object({
  status: windowStatusSchema.optional(),
  sql: z.string().min(1).max(20_000).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  start: startPositionSchema.optional(),
});

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 64) || 'window'
  );
}

/** Definitions are equal in meaning when everything but their name and version is. */
function sameSemantics(a: WindowDefinition, b: WindowDefinition): boolean {
  const strip = ({ name: _n, version: _v, ...rest }: WindowDefinition) => canonical(rest);
  return strip(a) === strip(b);
}

/**
 * Creating, editing, pausing and deleting windows — the rules of the admin API, kept out of the HTTP layer:
 * SQL or definitions in; an edit that changes semantics starts a new version (the old version's results
 * stay readable until they expire); built-ins can be paused but not deleted.
 */
export class WindowAdmin {
  constructor(
    private readonly store: DefinitionStore,
    private readonly compileSql: SqlCompiler,
  ) {}

  /** Validates an input into a definition of the given id/version, or says precisely what is wrong. */
  parse(
    input: WindowInput,
    id: string | undefined,
    version: number,
  ): AdminResult<{ definition: WindowDefinition; sql?: string }> {
    if (input.sql !== undefined) {
      const windowId = id ?? input.id ?? slug(input.name ?? 'sql_window');
      const compiled = this.compileSql(input.sql, {
        id: windowId,
        version,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.site === undefined ? {} : { site: input.site }),
      });
      if (!compiled.ok) return { ok: false, problem: { kind: 'sql', problem: compiled.error } };
      return { ok: true, value: { definition: compiled.definition, sql: input.sql } };
    }
    const raw: Record<string, unknown> = {
      ...input.definition,
      version,
      ...(id === undefined ? {} : { id }),
    };
    if (raw['id'] === undefined && typeof raw['name'] === 'string') raw['id'] = slug(raw['name']);
    const parsed = windowDefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: {
          kind: 'invalid',
          field: issue?.path.join('.') || 'definition',
          message: issue?.message ?? 'invalid definition',
        },
      };
    }
    return { ok: true, value: { definition: parsed.data } };
  }

  async create(input: z.infer<typeof createWindowSchema>, nowMs: number): Promise<AdminResult<StoredWindow>> {
    const parsed = this.parse(input, undefined, 1);
    if (!parsed.ok) return parsed;
    const { definition, sql } = parsed.value;
    if (await this.store.get(definition.id)) {
      return {
        ok: false,
        problem: { kind: 'conflict', field: 'id', message: `a window "${definition.id}" already exists` },
      };
    }
    const stored: StoredWindow = {
      definition,
      status: input.status,
      builtin: false,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      startFrom: input.start,
      ...(sql === undefined ? {} : { sql }),
    };
    await this.store.put(stored);
    return { ok: true, value: stored };
  }

  async update(
    id: string,
    patch: z.infer<typeof patchWindowSchema>,
    nowMs: number,
  ): Promise<AdminResult<StoredWindow>> {
    const current = await this.store.get(id);
    if (!current)
      return { ok: false, problem: { kind: 'not_found', field: 'id', message: `no window "${id}"` } };
    if (current.builtin && (patch.sql !== undefined || patch.definition !== undefined)) {
      return {
        ok: false,
        problem: { kind: 'conflict', field: 'id', message: 'built-in windows can be paused, not edited' },
      };
    }
    let next: StoredWindow = { ...current, updatedAtMs: nowMs };
    if (patch.status) next.status = patch.status;
    const input: WindowInput | undefined =
      patch.sql !== undefined
        ? { sql: patch.sql, name: current.definition.name, site: current.definition.site }
        : patch.definition
          ? { definition: { ...patch.definition, id } }
          : undefined;
    if (input) {
      const parsed = this.parse(input, id, current.definition.version);
      if (!parsed.ok) return parsed;
      const { definition, sql } = parsed.value;
      const changed = !sameSemantics(definition, current.definition);
      // SQL text is kept only when it is what the definition came from: a definition edit makes it stale.
      const { sql: _stale, ...rest } = next;
      next = {
        ...rest,
        definition: changed ? { ...definition, version: current.definition.version + 1 } : definition,
        startFrom: changed ? (patch.start ?? 'now') : current.startFrom,
        ...(sql === undefined ? {} : { sql }),
      };
    }
    await this.store.put(next);
    return { ok: true, value: next };
  }

  async remove(id: string): Promise<AdminResult<StartPosition | null>> {
    const current = await this.store.get(id);
    if (!current)
      return { ok: false, problem: { kind: 'not_found', field: 'id', message: `no window "${id}"` } };
    if (current.builtin) {
      return {
        ok: false,
        problem: { kind: 'conflict', field: 'id', message: 'built-in windows can be paused, not deleted' },
      };
    }
    await this.store.remove(id);
    return { ok: true, value: null };
  }
}
