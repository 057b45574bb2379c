import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import { SigningKey } from '../../lib/admin/signing-key';
import { issueToken } from '../../lib/admin/tokens';
import type { Keys } from '../../lib/redis/keys';
import type {
  SoakAcceptedCommand,
  SoakClientsResult,
  SoakSample,
  SoakSampleCommand,
  SoakStartCommand,
  SoakStopCommand,
} from './soak-clients';

/**
 * The soak's side of the IPC protocol with the dashboards process (bench/support/soak-clients.ts): one
 * reply per command, in order, and accept times forwarded in batches so that IPC stays cheap at 2,000
 * events/s.
 */

const REPLY_TIMEOUT_MS = 30_000;

type Command = SoakStartCommand | SoakSampleCommand | SoakStopCommand;

export interface DashboardsStart {
  baseUrl: string;
  clients: number;
  site: string;
  windows: string[];
}

export class DashboardsChannel {
  /** Waiting askers, oldest first: the dashboards reply to commands in the order they came. */
  private readonly replies: Array<(message: unknown) => void> = [];
  private pendingAcceptsMs: number[] = [];

  constructor(private readonly dashboards: ChildProcess) {
    dashboards.on('message', (message) => this.replies.shift()?.(message));
  }

  /** Connects and subscribes the dashboards with a share token of the site; how many subscribed. */
  async start(probe: Redis, keys: Keys, options: DashboardsStart): Promise<number> {
    const share = issueToken(await new SigningKey(probe, keys, undefined).get(), {
      kind: 'share',
      site: options.site,
      exp: null,
    });
    const ready = await this.ask<{ subscribed: number }>({
      type: 'start',
      url: options.baseUrl,
      clients: options.clients,
      site: options.site,
      windows: options.windows,
      share,
    });
    return ready.subscribed;
  }

  /** Latencies and counts since the previous sample. */
  sample(): Promise<SoakSample> {
    return this.ask<SoakSample>({ type: 'sample' });
  }

  /** The whole run's latencies; the dashboards process exits after replying. */
  stop(): Promise<SoakClientsResult> {
    return this.ask<SoakClientsResult>({ type: 'stop' });
  }

  /** Queues the accept time of a request, for the next flush. */
  noteAccepted(atMs: number): void {
    this.pendingAcceptsMs.push(atMs);
  }

  flushAccepts(): void {
    if (this.pendingAcceptsMs.length === 0 || !this.dashboards.connected) return;
    const command: SoakAcceptedCommand = { type: 'accepted', atMs: this.pendingAcceptsMs };
    this.pendingAcceptsMs = [];
    this.dashboards.send(command, () => {}); // a send error also reaches the 'error' listener
  }

  private ask<T>(command: Command, timeoutMs = REPLY_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolveReply, reject) => {
      const timer = setTimeout(() => reject(new Error(`dashboards: no reply to ${command.type}`)), timeoutMs);
      this.replies.push((message) => {
        clearTimeout(timer);
        resolveReply(message as T);
      });
      if (!this.dashboards.connected) return reject(new Error('dashboards: gone'));
      this.dashboards.send(command, (error) => {
        if (error) reject(error);
      });
    });
  }
}
