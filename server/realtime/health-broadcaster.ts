import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../lib/logger';
import { rooms } from '../../lib/realtime/contract';
import { HEALTH_INTERVAL_MS, type Health, type HealthSubscribeReply } from '../../lib/realtime/health';
import type { ServerContext } from '../context';
import { isAdmin } from '../http/auth';
import { ownOrigins } from '../http/cors';
import type { RealtimeServer, RealtimeSocket } from './types';

export const ADMIN_SESSION_REQUIRED = 'admin session required';
export const CROSS_SITE_REFUSED = 'cross-site socket refused: Origin must be this server';

/**
 * Why a handshake may not watch the pipeline, or undefined when it may. The admin session cookie is the
 * only credential (a share token reads one site's dashboard, never the pipeline). WebSockets have no CORS,
 * so a browser handshake from a foreign Origin is refused too: otherwise any page the admin visits could
 * read this with the admin's cookie. Non-browser clients send no Origin.
 */
export async function adminRefusal(
  ctx: Pick<ServerContext, 'signingKey' | 'config'>,
  req: IncomingMessage,
): Promise<string | undefined> {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    const own = ownOrigins(req, ctx.config.PUBLIC_URL).map((o) => o.toLowerCase());
    if (!own.includes(origin.toLowerCase())) return CROSS_SITE_REFUSED;
  }
  return (await isAdmin(ctx, req)) ? undefined : ADMIN_SESSION_REQUIRED;
}

export interface HealthBroadcasterOptions {
  io: RealtimeServer;
  /** The same computation as `GET /api/admin/health`. */
  read: () => Promise<Health>;
  /** See `adminRefusal`; asked at subscribe and again every tick (sessions expire, keys rotate). */
  refusal: (socket: RealtimeSocket) => Promise<string | undefined>;
  logger: Logger;
  intervalMs?: number;
}

/**
 * Live pipeline health for this node's admin sockets. One timer per process, running only while at least
 * one socket here is subscribed: each tick computes the health once and sends it to the room with
 * `io.local`, so the Redis streams adapter never relays it (every node serves its own subscribers; without
 * `local`, N nodes would each deliver N copies). Ticks never overlap: the next is scheduled after the
 * previous one finished. A failed computation is logged and the timer keeps going.
 */
export class HealthBroadcaster {
  readonly #subscribers = new Map<string, RealtimeSocket>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** Bumped when the loop stops, so a tick still awaiting Redis from an earlier loop ends quietly. */
  #generation = 0;
  #running = false;
  #last: { health: Health; atMs: number } | undefined;

  constructor(private readonly options: HealthBroadcasterOptions) {
    this.#intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Whether the tick loop is active (tests: no work while nobody watches). */
  get running(): boolean {
    return this.#running;
  }

  /** `health:subscribe`: checks the handshake, joins the room, starts the loop if it was idle. */
  async subscribe(socket: RealtimeSocket): Promise<HealthSubscribeReply> {
    let refusal: string | undefined;
    try {
      refusal = await this.options.refusal(socket);
    } catch (error) {
      this.options.logger.error({ err: error }, 'health subscribe failed');
      return { ok: false, error: 'internal error' };
    }
    if (refusal !== undefined) return { ok: false, error: refusal };
    // It may have gone while the session was being checked: its 'disconnect' has already run.
    if (!socket.connected) return { ok: false, error: 'disconnected' };
    this.#subscribers.set(socket.id, socket);
    void socket.join(rooms.health);
    // A late joiner gets the current figures at once instead of waiting for the next tick.
    const last = this.#last;
    if (last !== undefined && Date.now() - last.atMs < this.#intervalMs) socket.emit('health', last.health);
    if (!this.#running) this.#start();
    return { ok: true };
  }

  /** `health:unsubscribe` and disconnects; the loop stops with the last subscriber. */
  unsubscribe(socket: RealtimeSocket): void {
    if (!this.#subscribers.delete(socket.id)) return;
    void socket.leave(rooms.health);
    if (this.#subscribers.size === 0) this.#stop();
  }

  close(): void {
    for (const socket of [...this.#subscribers.values()]) this.unsubscribe(socket);
    this.#stop();
  }

  #start(): void {
    this.#running = true;
    void this.#tick(this.#generation);
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = false;
    this.#generation++;
    this.#last = undefined;
  }

  async #tick(generation: number): Promise<void> {
    const startedAtMs = Date.now();
    try {
      const [health] = await Promise.all([this.options.read(), this.#recheck()]);
      if (generation !== this.#generation) return;
      if (this.#subscribers.size > 0) {
        this.#last = { health, atMs: Date.now() };
        this.options.io.local.to(rooms.health).emit('health', health);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not compute pipeline health');
    }
    if (generation !== this.#generation) return;
    if (this.#subscribers.size === 0) {
      this.#stop();
      return;
    }
    const delayMs = Math.max(0, this.#intervalMs - (Date.now() - startedAtMs));
    this.#timer = setTimeout(() => void this.#tick(generation), delayMs);
  }

  /** Drops subscribers whose session has expired since they subscribed (tokens are stateless). */
  async #recheck(): Promise<void> {
    await Promise.all(
      [...this.#subscribers.values()].map(async (socket) => {
        // A check that fails (Redis blip reading the key) keeps the subscriber: only a clear "no" drops it.
        const refusal = await this.options.refusal(socket).catch(() => undefined);
        if (refusal !== undefined) this.unsubscribe(socket);
      }),
    );
  }
}
