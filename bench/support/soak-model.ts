import type { ConsumerName } from '../../lib/redis/keys';

/**
 * What the soak bench measures, shared by its stack, sampler and report: the processes, and the shapes of
 * a sample and of a lag point (both written as they are to the JSON result, so their fields are its schema).
 */

export const SHARDS = 4;
export const CONSUMERS: readonly ConsumerName[] = ['aggregator', 'archiver'];
/** The processes of the stack: their memory is what must stay flat. */
export const STACK = ['redis', 'server', 'aggregator', 'archiver', 'janitor'] as const;
/** Measured too, for context: the bench's own processes. */
export const HARNESS = ['dashboards', 'loadgen'] as const;
export type Proc = (typeof STACK)[number] | (typeof HARNESS)[number];
export const ALL_PROCS: readonly Proc[] = [...STACK, ...HARNESS];
/** Node processes of the stack run with --trace-gc: the heap left after each full GC is their live heap. */
export type NodeProc = 'server' | 'aggregator' | 'archiver' | 'janitor';
export const NODE_PROCS: readonly NodeProc[] = ['server', 'aggregator', 'archiver', 'janitor'];

export function isStackProc(proc: Proc): boolean {
  return (STACK as readonly string[]).includes(proc);
}

export interface LagPoint {
  tS: number;
  /** Worst shard's lag per consumer (ms of ingest time); null before the consumer's first checkpoint. */
  aggregator: number | null;
  archiver: number | null;
}

/** Worst and latest lag of each consumer within one sample interval. */
export type IntervalLag = Record<ConsumerName, { max: number | null; last: number | null }>;

export interface RedisMemory {
  usedMemoryMb: number;
  usedMemoryRssMb: number;
  fragmentationRatio: number;
  streamEntries: number;
  outboxEntries: number;
  dedupeMembers: number;
  socketIoStreamEntries: number;
  keys: number;
  /** MB (MEMORY USAGE) and key count per kind of key: stream, outbox, dedupe, agg_results, rate_limit, … */
  byKind: Record<string, { keys: number; mb: number }>;
  aofMb: number;
}

export interface E2eInterval {
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  pairs: number;
  messages: number;
  unseen: number;
  pending: number;
  disconnects: number;
}

export interface Sample {
  tS: number;
  phase: 'start' | 'run' | 'end';
  acceptedEvents: number;
  eventsPerS: number;
  /** Collect requests the server answered with anything but 202 in the interval. */
  non202Requests: number;
  rssMb: Record<Proc, number | null>;
  heapUsedMb: { server: number | null; archiver: number | null; loadgen: number };
  /** Heap size after the latest full GC (Mark-Compact, from --trace-gc) so far, and full GCs so far. */
  liveHeapMb: Record<NodeProc, number | null>;
  fullGcs: Record<NodeProc, number>;
  serverEventLoopLagP99Ms: number | null;
  redis: RedisMemory;
  lagMs: IntervalLag;
  e2e: E2eInterval | null;
}
