import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ServerContext } from './context';
import { notFound, sendJson, serviceUnavailable } from './http/respond';
import { handleAdmin } from './routes/admin';
import { collectEndpoints } from './routes/collect';
import { handleHealth, handleMetrics, handleReady } from './routes/health';
import { handleQuery } from './routes/query';
import { handleSites } from './routes/sites';
import { handleSnippet } from './routes/snippet';
import { handleStats } from './routes/stats';
import { handleRecentEvents } from './routes/streams';

type Handler = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Routes the server answers itself; everything else goes to Next.js (pages, demo shop). */
const routes: Record<string, Handler> = {
  '/healthz': handleHealth,
  '/readyz': handleReady,
  '/metrics': handleMetrics,
  '/js/script.js': handleSnippet,
  '/api/streams/recent': handleRecentEvents,
  '/api/sites': handleSites,
};

/** Routes by path prefix (their handlers parse the rest of the path). */
const prefixRoutes: ReadonlyArray<[prefix: string, handler: Handler]> = [
  ['/api/stats/', handleStats],
  ['/api/query/', handleQuery],
  ['/api/admin/', handleAdmin],
];

export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export function createRequestListener(ctx: ServerContext, fallback?: FallbackHandler): RequestListener {
  let collectInFlight = 0;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const collect = collectEndpoints[path];
    // Load shedding: past the in-flight bound a collect request is refused at once (clients retry with the
    // same ids) instead of queueing until it times out and memory grows with the queue.
    if (collect && req.method === 'POST') {
      if (collectInFlight >= ctx.config.COLLECT_MAX_INFLIGHT) {
        ctx.metrics.requests.inc({ endpoint: collect.endpoint, status: '503' });
        ctx.counters.add('shed', 1);
        res.setHeader('Connection', 'close');
        serviceUnavailable(
          res,
          { error: 'server busy; retry shortly', field: 'server' },
          { 'Retry-After': '1' },
        );
        req.resume();
        return;
      }
      collectInFlight++;
      res.once('close', () => collectInFlight--);
    }
    const handler: Handler | undefined =
      collect?.handler ?? routes[path] ?? prefixRoutes.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (collect) {
      res.on('finish', () =>
        ctx.metrics.requests.inc({ endpoint: collect.endpoint, status: String(res.statusCode) }),
      );
    }
    const run = handler
      ? handler(ctx, req, res)
      : fallback
        ? fallback(req, res)
        : notFound(res, { error: `no route for ${path}`, field: 'path' });
    Promise.resolve(run).catch((error: unknown) => {
      ctx.logger.error({ err: error, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}
