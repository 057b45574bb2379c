import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { runAdhocQuery } from '../../../lib/aggregation/adhoc-query';
import { definitionRef } from '../../../lib/aggregation/definition-store';
import {
  type AdminProblem,
  createWindowSchema,
  patchWindowSchema,
  windowInputSchema,
} from '../../../lib/aggregation/window-admin';
import type { ServerContext } from '../../context';
import { requireSameOrigin } from '../../http/auth';
import { readJson } from '../../http/json-body';
import { badRequest, notFound, sendJson } from '../../http/respond';

/** Maps a domain problem to its status: SQL errors carry line and column, others the field. */
function answerProblem(res: ServerResponse, problem: AdminProblem): void {
  switch (problem.kind) {
    case 'sql':
      badRequest(res, { error: problem.problem.message, field: 'sql', ...problem.problem });
      return;
    case 'invalid':
      badRequest(res, { error: problem.message, field: problem.field });
      return;
    case 'not_found':
      notFound(res, { error: problem.message, field: problem.field });
      return;
    case 'conflict':
      sendJson(res, 409, { error: problem.message, field: problem.field });
      return;
  }
}

/**
 * Per-window figures for the list: late events and FINAL results over the last 10 minutes (all shards), and
 * for a back-filling window the share of the retained history folded so far (0…1; null when not back-filling).
 */
async function windowFigures(
  ctx: ServerContext,
  ref: string,
): Promise<{ late: number; resultsLast10Min: number; backfillProgress: number | null }> {
  const sinceMs = Date.now() - 600_000;
  let late = 0;
  let resultsLast10Min = 0;
  const progress: number[] = [];
  for (let shard = 0; shard < ctx.config.SHARDS; shard++) {
    const keys = ctx.keys.shard(shard);
    resultsLast10Min += await ctx.redis.zcount(keys.aggResults(ref), sinceMs, '+inf');
    let cursor = '0';
    do {
      const [next, flat] = await ctx.redis.hscan(keys.aggLate, cursor, 'MATCH', `${ref}|*`, 'COUNT', 500);
      cursor = next;
      for (let i = 1; i < flat.length; i += 2) late += Number(flat[i]);
    } while (cursor !== '0');
    const [position, checkpoint] = await Promise.all([
      ctx.redis.hget(keys.aggState, `${ref}|#pos`),
      ctx.redis.hget(keys.checkpoint('aggregator'), 'id'),
    ]);
    if (position !== null && checkpoint !== null) {
      const first = (await ctx.redis.xrange(keys.stream, '-', '+', 'COUNT', 1))[0]?.[0] ?? position;
      const [p, f, c] = [position, first, checkpoint].map((id) => Number(id.split('-')[0]));
      progress.push(
        c === undefined || f === undefined || p === undefined || c <= f
          ? 1
          : Math.min(1, Math.max(0, (p - f) / (c - f))),
      );
    } else {
      progress.push(1);
    }
  }
  const backfilling = progress.some((p) => p < 1);
  return {
    late,
    resultsLast10Min,
    backfillProgress: backfilling ? progress.reduce((a, b) => a + b, 0) / progress.length : null,
  };
}

/** `GET /api/admin/windows`: every window (built-in and user-defined) with its state and figures. */
export async function listWindows(
  ctx: ServerContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const windows = await ctx.windows.list();
  const rows = await Promise.all(
    windows.map(async (w) => ({
      ...w,
      sqlText: ctx.toSql(w.definition),
      ...(await windowFigures(ctx, definitionRef(w.definition))),
    })),
  );
  sendJson(res, 200, { windows: rows });
}

/** `POST /api/admin/windows` with a definition or `{"sql"}` → 201, or 400 with line/column (SQL) or field. */
export async function createWindow(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const body = await readJson(req, res, createWindowSchema);
  if (body === undefined) return;
  const result = await ctx.windowAdmin.create(body, Date.now());
  if (!result.ok) return answerProblem(res, result.problem);
  sendJson(res, 201, {
    id: result.value.definition.id,
    ...result.value,
    sqlText: ctx.toSql(result.value.definition),
  });
}

/** `PATCH /api/admin/windows/:id`: pause/resume, or a new definition/SQL (a new version when semantics change). */
export async function updateWindow(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const body = await readJson(req, res, patchWindowSchema);
  if (body === undefined) return;
  const result = await ctx.windowAdmin.update(id, body, Date.now());
  if (!result.ok) return answerProblem(res, result.problem);
  sendJson(res, 200, { id, ...result.value, sqlText: ctx.toSql(result.value.definition) });
}

export async function deleteWindow(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const result = await ctx.windowAdmin.remove(id);
  if (!result.ok) return answerProblem(res, result.problem);
  sendJson(res, 200, { deleted: id });
}

const previewSchema = z.intersection(
  windowInputSchema,
  z.object({
    site: z.string().min(1).max(64),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
  }),
);

/** `POST /api/admin/windows/preview`: a dry run of a definition over the last N minutes of one site. */
export async function previewWindow(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!requireSameOrigin(ctx, req, res)) return;
  const body = await readJson(req, res, previewSchema);
  if (body === undefined) return;
  if (!(await ctx.sites.get(body.site))) {
    notFound(res, { error: `no site "${body.site}"`, field: 'site' });
    return;
  }
  const parsed = ctx.windowAdmin.parse(body, undefined, 1);
  if (!parsed.ok) return answerProblem(res, parsed.problem);
  const toMs = Date.now();
  const fromMs = toMs - Math.min(body.minutes * 60_000, ctx.config.RETENTION_HOURS * 3_600_000);
  const definition = parsed.value.definition;
  const result = await runAdhocQuery(ctx.redis, ctx.keys, ctx.config.SHARDS, [definition], {
    site: body.site,
    fromMs,
    toMs,
    filters: [],
    maxEvents: 500_000,
  });
  sendJson(res, 200, {
    definition,
    sqlText: ctx.toSql(definition),
    from: fromMs,
    to: toMs,
    scannedEvents: result.scannedEvents,
    truncated: result.truncated,
    results: result.windows.get(definition.id) ?? [],
  });
}
