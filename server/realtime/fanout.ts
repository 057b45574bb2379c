import { rooms, type WindowDelta } from '../../lib/realtime/contract';
import type { ServerMetrics } from '../metrics';
import type { Client, ClientBuffers } from './clients';
import type { RealtimeServer } from './types';
import type { WindowView } from './window-view';

/** One (site, window) that local clients watch: its view, its subscribers, its flush timer. */
export interface ViewSlot {
  readonly key: string;
  readonly site: string;
  view: WindowView;
  loaded: boolean;
  ready: Promise<void>;
  readonly subscribers: Set<Client>;
  /** Subscribers owed a snapshot at the next flush (new, re-subscribed, recovered or after a reload). */
  readonly awaiting: Set<Client>;
  /** Subscribe calls between acquiring and attaching: the slot must not be dropped meanwhile. */
  holds: number;
  timer: NodeJS.Timeout | undefined;
  lastSentAt: number;
  sentPositions: number[];
}

export interface FanoutDeps {
  io: RealtimeServer;
  metrics: ServerMetrics;
  snapshotRows: number;
  clients: ClientBuffers;
}

/**
 * One flush of one window: snapshots to the clients owed one, one delta (the rows changed since the last
 * flush; or none when only the watermark or the positions moved) to the rest of the window's room on this
 * node, nothing to clients that are behind. Both go out as room broadcasts, encoded once.
 */
export function sendFlush(slot: ViewSlot, positions: number[], deps: FanoutDeps): void {
  const { io, metrics, snapshotRows, clients } = deps;
  const view = slot.view;
  const changes = view.takeChanges();
  const positionsMoved = positions.some((p, i) => p !== slot.sentPositions[i]);
  const snapshotTo: string[] = [];
  const skip: string[] = [];
  let deltaTo = 0;
  for (const client of slot.subscribers) {
    if (!clients.keepingUp(client)) skip.push(client.id);
    else if (slot.awaiting.has(client)) {
      snapshotTo.push(client.id);
      skip.push(client.id);
      slot.awaiting.delete(client);
    } else deltaTo++;
  }
  // The spacing counts from the moment of sending (computing the rows may take a few ms).
  const sentAt = performance.now();
  const sentAtMs = Date.now();
  let sent = false;
  if (snapshotTo.length > 0) {
    io.local.to(snapshotTo).emit('snapshot', view.snapshot(snapshotRows, positions, sentAtMs));
    metrics.realtimeMessages.inc({ kind: 'snapshot' }, snapshotTo.length);
    sent = true;
  }
  if (deltaTo > 0 && (changes.rows.length > 0 || changes.watermarkChanged || positionsMoved)) {
    const delta: WindowDelta = {
      site: slot.site,
      windowId: view.windowId,
      watermark: changes.watermark,
      rows: changes.rows,
      positions,
      sentAtMs,
    };
    io.local.to(rooms.window(slot.site, view.windowId)).except(skip).emit('delta', delta);
    metrics.realtimeMessages.inc({ kind: 'delta' }, deltaTo);
    sent = true;
  }
  if (sent) slot.lastSentAt = sentAt;
  slot.sentPositions = positions;
}
