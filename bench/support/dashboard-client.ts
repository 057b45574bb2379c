import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  FeedMessage,
  ServerToClientEvents,
  SubscribeReply,
  SubscribeRequest,
  WindowRow,
} from '../../lib/realtime/contract';

export interface ReceivedMessage {
  kind: 'snapshot' | 'delta';
  windowId: string;
  /** Wall clock (ms, fractional) when the client got it. */
  receivedAtMs: number;
  sentAtMs: number;
  positions: number[];
  rows: number;
}

export interface DashboardClientOptions {
  /** Keep every message's metadata in `messages` (tests); the bench uses `onMessage` instead. */
  record?: boolean;
  /** Keep the window rows (snapshot + deltas applied by (start, end, key) replacement). */
  keepRows?: boolean;
  onMessage?: (message: ReceivedMessage) => void;
  onFeed?: (message: FeedMessage) => void;
  /** A share token for the site (read access without an admin session). */
  share?: string;
}

/** Rows are replaced by start and key (a growing session keeps its start; its end moves). */
const rowKey = (row: Pick<WindowRow, 'start' | 'key'>) => `${row.start}|${JSON.stringify(row.key)}`;
const wallClockMs = () => performance.timeOrigin + performance.now();

/**
 * A dashboard as the contract describes it, for tests and the e2e bench: a real socket.io-client
 * connection that applies snapshots (replace everything) and deltas (replace rows by start, end and key).
 */
export class DashboardClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly messages: ReceivedMessage[] = [];
  readonly feed: FeedMessage[] = [];
  readonly #rows = new Map<string, Map<string, WindowRow>>();
  readonly #snapshots = new Map<string, number>();
  readonly #status = new Map<string, string>();

  constructor(url: string, options: DashboardClientOptions = {}) {
    this.socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.share === undefined ? {} : { auth: { share: options.share } }),
    });
    const receive = (kind: 'snapshot' | 'delta', windowId: string, sentAtMs: number, positions: number[]) => {
      const message: ReceivedMessage = {
        kind,
        windowId,
        receivedAtMs: wallClockMs(),
        sentAtMs,
        positions,
        rows: 0,
      };
      return message;
    };
    this.socket.on('snapshot', (snapshot) => {
      const message = receive('snapshot', snapshot.windowId, snapshot.sentAtMs, snapshot.positions);
      message.rows = snapshot.rows.length;
      this.#snapshots.set(snapshot.windowId, (this.#snapshots.get(snapshot.windowId) ?? 0) + 1);
      this.#status.set(snapshot.windowId, snapshot.window.status);
      if (options.keepRows)
        this.#rows.set(snapshot.windowId, new Map(snapshot.rows.map((r) => [rowKey(r), r])));
      if (options.record) this.messages.push(message);
      options.onMessage?.(message);
    });
    this.socket.on('delta', (delta) => {
      const message = receive('delta', delta.windowId, delta.sentAtMs, delta.positions);
      message.rows = delta.rows.length;
      if (options.keepRows) {
        let rows = this.#rows.get(delta.windowId);
        if (rows === undefined) {
          rows = new Map();
          this.#rows.set(delta.windowId, rows);
        }
        for (const row of delta.rows) rows.set(rowKey(row), row);
      }
      if (options.record) this.messages.push(message);
      options.onMessage?.(message);
    });
    this.socket.on('feed', (message) => {
      if (options.record) this.feed.push(message);
      options.onFeed?.(message);
    });
  }

  static async connect(url: string, options: DashboardClientOptions = {}): Promise<DashboardClient> {
    const client = new DashboardClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('connect', () => resolve());
      client.socket.once('connect_error', reject);
    });
    return client;
  }

  subscribe(request: SubscribeRequest): Promise<SubscribeReply> {
    return this.socket.timeout(10_000).emitWithAck('subscribe', request);
  }

  /** The window's rows as this client sees them, keyed like the stats API's rows. */
  rows(windowId: string): Map<string, WindowRow> {
    return this.#rows.get(windowId) ?? new Map();
  }

  snapshots(windowId: string): number {
    return this.#snapshots.get(windowId) ?? 0;
  }

  /** The window's status (`running`, `paused`) as of its last snapshot. */
  windowStatus(windowId: string): string | undefined {
    return this.#status.get(windowId);
  }

  /** Stops reading from the connection (a stalled client: the server's writes pile up), and resumes. */
  pauseReading(): void {
    this.#webSocket().pause();
  }

  resumeReading(): void {
    this.#webSocket().resume();
  }

  close(): void {
    this.socket.close();
  }

  #webSocket(): { pause(): void; resume(): void } {
    // engine.io-client keeps the `ws` WebSocket of its websocket transport in `ws` (not in the typings).
    const transport = this.socket.io.engine.transport as unknown as {
      ws?: { pause(): void; resume(): void };
    };
    if (transport.ws === undefined) throw new Error('not connected over a WebSocket');
    return transport.ws;
  }
}

export { rowKey };
