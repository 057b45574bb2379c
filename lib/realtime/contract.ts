import { z } from 'zod';
import type { StatsResult } from '../aggregation/stats-reader';
import type { WindowDefinition } from '../windows/definition';
import type { Health, HealthSubscribeReply } from './health';

/**
 * The one socket.io contract between the server's realtime gateway and the dashboard (BRIEF §9):
 * typed events both ways, zod schemas for what clients send. Window values are absolute and merged over
 * the shards; a client replaces rows by (start, key) — a session keeps its start while its end grows — and never adds
 * numbers itself.
 */

/** A window's result row, exactly as the stats API returns it. */
export type WindowRow = StatsResult;

export interface WindowSnapshot {
  site: string;
  windowId: string;
  window: WindowDefinition & { status: 'running' | 'paused' };
  watermark: number | null;
  /** Newest first, as the stats API orders them. */
  rows: WindowRow[];
  /** Per shard, the ingest time (ms) of the last committed entry these rows include. */
  positions: number[];
  sentAtMs: number;
}

export interface WindowDelta {
  site: string;
  windowId: string;
  watermark: number | null;
  /** Rows that changed since the previous message for this window, absolute values. */
  rows: WindowRow[];
  positions: number[];
  sentAtMs: number;
}

/** One event of the live feed: what the dashboard shows, nothing more (no URL query strings, no ids). */
export interface FeedEvent {
  id: string;
  receivedAtMs: number;
  type: string;
  path: string;
  title?: string;
  source: string;
  device: string;
  browser: string;
  os: string;
  country?: string;
  /** First characters of the visitor id, enough to tell visitors apart on screen. */
  visitor: string;
  props?: Record<string, string | number | boolean>;
}

export interface FeedMessage {
  site: string;
  events: FeedEvent[];
}

export interface ServerToClientEvents {
  snapshot: (snapshot: WindowSnapshot) => void;
  delta: (delta: WindowDelta) => void;
  feed: (message: FeedMessage) => void;
  /** Admin only, after `health:subscribe`: the same JSON as `GET /api/admin/health`, once a second. */
  health: (health: Health) => void;
}

export const subscribeRequestSchema = z.object({
  site: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  windows: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)).max(50),
  feed: z.boolean().default(false),
});
export type SubscribeRequest = z.input<typeof subscribeRequestSchema>;

export type SubscribeReply = { ok: true; windows: string[] } | { ok: false; error: string; field?: string };

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (reply: SubscribeReply) => void) => void;
  unsubscribe: (request: SubscribeRequest) => void;
  /** Pipeline health for the admin page; refused without an admin session cookie in the handshake. */
  'health:subscribe': (ack: (reply: HealthSubscribeReply) => void) => void;
  'health:unsubscribe': () => void;
}

export interface InterServerEvents {
  ping: () => void;
}

export interface SocketData {
  subscriptions: string[];
}

/** Room names, shared by every server node (the Redis streams adapter fans feed messages out between nodes). */
export const rooms = {
  window: (site: string, windowId: string) => `w:${site}:${windowId}`,
  feed: (site: string) => `f:${site}`,
  /** Emitted with `io.local`: every node computes and sends its own subscribers' health. */
  health: 'admin:health',
};

/** At most one message per window per this many ms per client (coalescing). */
export const COALESCE_MS = 250;
