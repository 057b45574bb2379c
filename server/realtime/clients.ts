import type { ServerMetrics } from '../metrics';
import type { ViewSlot } from './fanout';
import type { RealtimeSocket } from './types';

/** One connected socket on this node and what it watches. */
export interface Client {
  readonly id: string;
  readonly socket: RealtimeSocket;
  readonly slots: Set<ViewSlot>;
  /** Feed rooms it subscribed to (left while it is behind, joined again once it drains). */
  readonly feeds: Set<string>;
  /** Behind: its write buffer went over the bound; it gets nothing until it drains. */
  slow: boolean;
}

export function newClient(socket: RealtimeSocket): Client {
  return { id: socket.id, socket, slots: new Set(), feeds: new Set(), slow: false };
}

/** How often a client that fell behind is checked for having drained. */
const DRAIN_POLL_MS = 100;

/**
 * engine.io keeps what it could not write yet in the socket's `writeBuffer` (packets waiting for the
 * transport) and the WebSocket in `bufferedAmount` (bytes waiting for the kernel). Neither is in the public
 * typings, hence the narrow structural view.
 */
interface EngineInternals {
  writeBuffer?: ReadonlyArray<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: unknown } };
}

export function bufferedBytes(socket: RealtimeSocket): number {
  const engine = socket.conn as unknown as EngineInternals;
  let bytes = 0;
  for (const packet of engine.writeBuffer ?? []) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : 16;
  }
  const ws = engine.transport?.socket?.bufferedAmount;
  return typeof ws === 'number' ? bytes + ws : bytes;
}

/**
 * Drop-to-snapshot. A client whose unsent data exceeds the bound stops getting deltas and feed messages
 * (nothing more is queued for it, so its memory stays bounded and nobody else waits for it); once its
 * buffers have drained below half the bound it is owed a fresh snapshot of every window it watches —
 * absolute values, so nothing it missed matters.
 */
export class ClientBuffers {
  readonly #behind = new Set<Client>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitBytes: number,
    private readonly metrics: ServerMetrics,
    private readonly onDrained: (client: Client) => void,
  ) {}

  /** False when the client is behind (and marks it so when it just fell behind). */
  keepingUp(client: Client): boolean {
    if (client.slow) return false;
    if (bufferedBytes(client.socket) <= this.limitBytes) return true;
    client.slow = true;
    this.metrics.realtimeDrops.inc();
    for (const room of client.feeds) void client.socket.leave(room);
    this.#behind.add(client);
    this.#timer ??= setInterval(() => this.#poll(), DRAIN_POLL_MS);
    return false;
  }

  joinFeed(client: Client, room: string): void {
    client.feeds.add(room);
    if (!client.slow) void client.socket.join(room);
  }

  leaveFeed(client: Client, room: string): void {
    client.feeds.delete(room);
    void client.socket.leave(room);
  }

  forget(client: Client): void {
    this.#behind.delete(client);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#behind.clear();
  }

  #poll(): void {
    for (const client of this.#behind) {
      if (!client.socket.connected) {
        this.#behind.delete(client);
        continue;
      }
      if (bufferedBytes(client.socket) > this.limitBytes / 2) continue;
      this.#behind.delete(client);
      client.slow = false;
      for (const room of client.feeds) void client.socket.join(room);
      this.onDrained(client);
    }
    if (this.#behind.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
