import type { Logger } from '../../lib/logger';
import type { RedisClient } from '../../lib/redis/scripts';

/** What one read → process → commit step of a shard consumer ended with. */
export type StepOutcome = 'OK' | 'IDLE' | 'FENCED' | 'STALE' | 'LEASE_LOST' | 'CLOSING';

export interface ShardLoop {
  shard: number;
  logger: Logger;
  /** The shard's blocking-read connection (replaced when a read outlives its BLOCK). */
  reader: RedisClient;
  isClosing(): boolean;
  /** (Re)reads the committed position and state; called first and after STALE, LEASE_LOST or an error. */
  load(): Promise<void>;
  step(): Promise<StepOutcome>;
  onFenced(): void;
  messages: { fenced: string; stale: string; error: string };
}

const MAX_BACKOFF_MS = 5_000;

/**
 * The consumer loop of one owned shard, shared by the aggregator and the archiver: load the committed
 * position, then step until stopped. FENCED ends the loop (another worker owns the shard); STALE and a lapsed
 * lease reload from what is committed; errors back off exponentially and reload too.
 */
export async function runShardLoop(loop: ShardLoop): Promise<void> {
  const { logger, shard } = loop;
  let backoffMs = 100;
  let loaded = false;
  while (!loop.isClosing()) {
    try {
      if (!loaded) {
        await loop.load();
        loaded = true;
      }
      const outcome = await loop.step();
      if (outcome === 'FENCED') {
        logger.warn({ shard }, loop.messages.fenced);
        loop.onFenced();
        return;
      }
      if (outcome === 'STALE') logger.info({ shard }, loop.messages.stale);
      if (outcome === 'STALE' || outcome === 'LEASE_LOST') loaded = false;
      // The lease lapsed locally (a pause, a Redis outage): commit nothing until the lease manager either
      // renews it (we reload and go on) or reports it lost (stop() ends this loop).
      if (outcome === 'LEASE_LOST') await sleep(100);
      backoffMs = 100;
    } catch (error) {
      if (loop.isClosing()) return;
      // The watchdog: a read that outlived its BLOCK by seconds (a blackholed connection) gets a fresh one.
      if (error instanceof Error && /timed out/i.test(error.message)) loop.reader.disconnect(true);
      logger.warn({ err: error, shard, retryInMs: backoffMs }, loop.messages.error);
      loaded = false;
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
