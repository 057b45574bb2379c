import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { TrafficEvent } from './session';

/**
 * Posts batches to the collect API the way the snippet does (text/plain, long-form JSON), with a bounded
 * number of requests in flight and retries of the same body on 429, 5xx and network errors.
 */

export interface Batch {
  events: Array<TrafficEvent & { ts: number }>;
  userAgent: string;
  ip: string;
}

export interface SenderOptions {
  collectUrl: string;
  site: string;
  /** Requests in flight at once; further batches wait in a queue. */
  maxInFlight: number;
  /** Attempts per batch, the first included. */
  maxAttempts: number;
  timeoutMs: number;
  /** Batches allowed to wait; beyond this the server is not keeping up and new batches are dropped. */
  maxQueued: number;
}

export interface SenderStats {
  /** HTTP requests made, retries included. */
  requests: number;
  retries: number;
  /** Events stored, as the server counts them (repeats of already stored ids included). */
  accepted: number;
  /** Of the accepted, repeats of an id already stored (a retry whose first attempt did land). */
  duplicates: number;
  /** Events the server refused as invalid. */
  rejected: number;
  /** Events the server dropped on purpose (bot user agent, DNT), which must not be re-sent. */
  dropped: number;
  /** Events given up on: retries exhausted, a non-retryable error, a full queue or the final cut-off. */
  lost: number;
  /** Failed attempts by HTTP status, or "network" / "timeout" / "bad-response" / "backlog". */
  errors: Map<string, number>;
}

/** The collect API's answer (docs/api.md); a 400 carries `rejected` too, when no event was valid. */
const collectResponseSchema = z.object({
  accepted: z.number().int().nonnegative().default(0),
  duplicates: z.number().int().nonnegative().default(0),
  rejected: z.array(z.unknown()).default([]),
  dropped: z.object({ bot: z.number(), dnt: z.number() }).optional(),
});

type Attempt = { kind: 'done' } | { kind: 'retry'; afterMs: number | undefined } | { kind: 'failed' };

const MAX_RETRY_AFTER_MS = 10_000;
const MAX_ERROR_MESSAGES = 5;

export class Sender {
  readonly stats: SenderStats = {
    requests: 0,
    retries: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    lost: 0,
    errors: new Map(),
  };
  private readonly queue: Batch[] = [];
  private active = 0;
  private readonly stopping = new AbortController();
  private idle: (() => void) | undefined;
  private readonly reported = new Set<string>();

  constructor(private readonly options: SenderOptions) {
    // Every in-flight request and back-off listens to this one signal; 64 at once is expected, not a leak.
    setMaxListeners(0, this.stopping.signal);
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  send(batch: Batch): void {
    if (this.stopping.signal.aborted || this.queue.length >= this.options.maxQueued) {
      this.countError('backlog');
      this.stats.lost += batch.events.length;
      return;
    }
    this.queue.push(batch);
    this.pump();
  }

  /** Waits until every batch is delivered or `timeoutMs` passed; then abandons what is left. */
  async drain(timeoutMs: number): Promise<void> {
    await this.settled(timeoutMs);
    this.stopping.abort();
    for (const batch of this.queue.splice(0)) this.stats.lost += batch.events.length;
    // Aborted requests settle at once; wait for them so their events are counted as lost.
    await this.settled(1000);
  }

  private async settled(timeoutMs: number): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return;
    const idle = new Promise<void>((resolve) => {
      this.idle = resolve;
    });
    await Promise.race([idle, sleep(timeoutMs, undefined, { ref: false })]);
  }

  private pump(): void {
    while (this.active < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.shift();
      if (batch === undefined) break;
      this.active++;
      void this.deliver(batch).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) this.idle?.();
      });
    }
  }

  private async deliver(batch: Batch): Promise<void> {
    const body = JSON.stringify({ site: this.options.site, events: batch.events });
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (attempt > 1) this.stats.retries++;
      const outcome = await this.attempt(body, batch);
      if (outcome.kind === 'done') return;
      if (outcome.kind === 'failed' || attempt === this.options.maxAttempts) break;
      // Exponential back-off with jitter (250 ms, 500 ms, 1 s, …), or what the server asked for.
      const backoffMs = outcome.afterMs ?? 250 * 2 ** (attempt - 1) + Math.random() * 100;
      try {
        await sleep(backoffMs, undefined, { signal: this.stopping.signal });
      } catch {
        break; // Stopped while waiting: the batch is abandoned below.
      }
    }
    this.stats.lost += batch.events.length;
  }

  private async attempt(body: string, batch: Batch): Promise<Attempt> {
    if (this.stopping.signal.aborted) return { kind: 'failed' };
    this.stats.requests++;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.options.collectUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': batch.userAgent, 'x-forwarded-for': batch.ip },
        body,
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      text = await response.text();
    } catch (error) {
      if (this.stopping.signal.aborted) return { kind: 'failed' };
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      this.countError(
        timedOut ? 'timeout' : 'network',
        error instanceof Error ? describeCause(error) : String(error),
      );
      return { kind: 'retry', afterMs: undefined };
    }

    const parsed = collectResponseSchema.safeParse(safeJson(text));
    if (parsed.success && (response.ok || response.status === 400)) {
      const { accepted, duplicates, rejected, dropped } = parsed.data;
      this.stats.accepted += accepted;
      this.stats.duplicates += duplicates;
      this.stats.rejected += rejected.length;
      this.stats.dropped += (dropped?.bot ?? 0) + (dropped?.dnt ?? 0);
      if (rejected.length > 0)
        this.report('rejected', `events rejected: ${JSON.stringify(rejected).slice(0, 300)}`);
      if (dropped && dropped.bot + dropped.dnt > 0)
        this.report('dropped', `events dropped: ${text.slice(0, 300)}`);
    }
    if (response.ok) {
      if (parsed.success) return { kind: 'done' };
      this.countError('bad-response', `unexpected response body: ${text.slice(0, 200)}`);
      return { kind: 'failed' };
    }
    this.countError(String(response.status), `HTTP ${response.status}: ${text.slice(0, 300)}`);
    if (response.status === 429 || response.status >= 500) {
      return { kind: 'retry', afterMs: retryAfterMs(response.headers.get('retry-after')) };
    }
    return { kind: 'failed' };
  }

  private countError(key: string, message?: string): void {
    this.stats.errors.set(key, (this.stats.errors.get(key) ?? 0) + 1);
    if (message !== undefined) this.report(key, message);
  }

  /** Prints the first message of each kind (and a few in all), so a misconfiguration is visible at once. */
  private report(key: string, message: string): void {
    if (this.reported.has(key) || this.reported.size >= MAX_ERROR_MESSAGES) return;
    this.reported.add(key);
    console.error(`! ${message}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** undici reports "fetch failed" and hides the reason (ECONNREFUSED…) in `cause`. */
function describeCause(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** Retry-After in seconds or as an HTTP date; capped so one answer cannot stall the run. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}
