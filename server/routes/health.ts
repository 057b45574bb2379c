import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context';
import { sendJson, serviceUnavailable } from '../http/respond';

/** `GET /healthz`: the process is alive (no dependencies checked, so a Redis outage does not restart it). */
export function handleHealth(_ctx: ServerContext, _req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

/** `GET /readyz`: Redis answers and the process is not draining; load balancers route on this. */
export async function handleReady(
  ctx: ServerContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (ctx.draining) {
    serviceUnavailable(res, { error: 'shutting down', field: 'process' });
    return;
  }
  try {
    await withTimeout(ctx.redis.ping(), 1_000);
    sendJson(res, 200, { status: 'ready' });
  } catch {
    serviceUnavailable(res, { error: 'redis is unreachable', field: 'redis' });
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /metrics`: Prometheus text format. */
export async function handleMetrics(
  ctx: ServerContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'Content-Type': ctx.metrics.registry.contentType });
  res.end(body);
}
