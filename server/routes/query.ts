import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FILTER_FIELDS, runAdhocQuery } from '../../lib/aggregation/adhoc-query';
import { SITE_ID_PATTERN } from '../../lib/events/schema';
import type { ServerContext } from '../context';
import { requireSiteReader } from '../http/auth';
import { badRequest, methodNotAllowed, notFound, sendJson } from '../http/respond';

/** Events one query may read; beyond it the answer says `truncated`. */
export const ADHOC_MAX_EVENTS = 500_000;
const DEFAULT_RANGE_MS = 30 * 60_000;

const filterSchema = z
  .string()
  .max(600)
  .transform((raw, ctx) => {
    const colon = raw.indexOf(':');
    const field = raw.slice(0, colon);
    if (colon < 1 || !(FILTER_FIELDS as readonly string[]).includes(field)) {
      ctx.addIssue({
        code: 'custom',
        message: `filter must be <field>:<value> with field one of ${FILTER_FIELDS.join(', ')}`,
      });
      return z.NEVER;
    }
    return { field: field as (typeof FILTER_FIELDS)[number], value: raw.slice(colon + 1) };
  });

const querySchema = z.object({
  windows: z
    .string()
    .min(1, 'name at least one window')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.string().max(64)).min(1).max(20)),
  filter: z.array(filterSchema).max(8).default([]),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
});

/**
 * `GET /api/query/:site?windows=a,b&filter=device:mobile&from=&to=`: the given windows re-run over the
 * retained raw events of the range, restricted by the filters (dashboard filters and time presets).
 */
export async function handleQuery(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET') {
    methodNotAllowed(res, { error: 'use GET', field: 'method' }, { Allow: 'GET' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const site = decodeURIComponent(url.pathname.slice('/api/query/'.length));
  if (!SITE_ID_PATTERN.test(site)) {
    badRequest(res, { error: 'expected /api/query/:site', field: 'site' });
    return;
  }
  if (!(await requireSiteReader(ctx, req, res, site))) return;
  if (!(await ctx.sites.get(site))) {
    notFound(res, { error: `unknown site "${site}"`, field: 'site' });
    return;
  }
  const parsed = querySchema.safeParse({
    windows: url.searchParams.get('windows') ?? '',
    filter: url.searchParams.getAll('filter'),
    from: url.searchParams.get('from') ?? undefined,
    to: url.searchParams.get('to') ?? undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    badRequest(res, { error: issue?.message ?? 'invalid query', field: String(issue?.path[0] ?? 'query') });
    return;
  }
  const toMs = parsed.data.to ?? Date.now();
  const fromMs = parsed.data.from ?? toMs - DEFAULT_RANGE_MS;
  const retentionMs = ctx.config.RETENTION_HOURS * 3_600_000;
  if (fromMs >= toMs || toMs - fromMs > retentionMs) {
    badRequest(res, {
      error: `from must be before to, at most ${ctx.config.RETENTION_HOURS} h apart`,
      field: 'from',
    });
    return;
  }
  const stored = (await ctx.windows.list()).filter(
    (w) => w.definition.site === null || w.definition.site === site,
  );
  const definitions = [];
  for (const id of parsed.data.windows) {
    const window = stored.find((w) => w.definition.id === id);
    if (!window) {
      notFound(res, { error: `unknown window "${id}" for site "${site}"`, field: 'windows' });
      return;
    }
    definitions.push(window.definition);
  }
  const result = await runAdhocQuery(ctx.redis, ctx.keys, ctx.config.SHARDS, definitions, {
    site,
    fromMs,
    toMs,
    filters: parsed.data.filter,
    maxEvents: ADHOC_MAX_EVENTS,
  });
  sendJson(res, 200, {
    site,
    from: fromMs,
    to: toMs,
    filters: parsed.data.filter,
    scannedEvents: result.scannedEvents,
    truncated: result.truncated,
    windows: Object.fromEntries(
      definitions.map((d) => [d.id, { window: d, results: result.windows.get(d.id) ?? [] }]),
    ),
  });
}
