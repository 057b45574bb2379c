import type { z } from 'zod';
import type { StoredWindow } from '../../lib/aggregation/definition-store';
import type { Logger } from '../../lib/logger';
import { rooms, type SubscribeReply, subscribeRequestSchema } from '../../lib/realtime/contract';
import type { SiteStore } from '../../lib/sites/site-store';
import type { Client } from './clients';
import type { ViewHub, ViewSlot } from './view-hub';

/** Windows one connection may watch at once (the schema bounds one request the same way). */
export const MAX_WINDOWS_PER_CLIENT = 50;

export interface SubscribeContext {
  hub: ViewHub;
  sites: SiteStore;
  loadDefinitions: () => Promise<StoredWindow[]>;
  logger: Logger;
  /** Whether this connection may read the site (admin session cookie or share token, checked at subscribe). */
  authorize: (site: string) => Promise<boolean>;
}

type ParsedRequest = z.output<typeof subscribeRequestSchema>;

const failure = (error: string, field: string): SubscribeReply => ({ ok: false, error, field });

/**
 * `subscribe({site, windows, feed})`: validate (zod; errors name the field), check the site and windows
 * exist, seed the views this node does not have yet, then join: each window is owed a snapshot (sent at its
 * next flush), deltas follow. Subscribing adds to what the connection already watches; subscribing to a
 * window again just earns a fresh snapshot.
 */
export async function subscribe(
  context: SubscribeContext,
  client: Client,
  request: unknown,
): Promise<SubscribeReply> {
  const parsed = subscribeRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    return failure(issue?.message ?? 'invalid subscribe request', field === '' ? 'request' : field);
  }
  const { site, windows, feed } = parsed.data;
  try {
    if (!(await context.authorize(site))) {
      return failure(`log in, or open the dashboard with a share link for "${site}"`, 'session');
    }
    if (!(await context.sites.get(site))) return failure(`unknown site "${site}"`, 'site');
    const definitions = await context.loadDefinitions();
    const wanted: StoredWindow[] = [];
    for (const [index, id] of windows.entries()) {
      const stored = definitions.find(
        (w) => w.definition.id === id && (w.definition.site === null || w.definition.site === site),
      );
      if (stored === undefined)
        return failure(`unknown window "${id}" for site "${site}"`, `windows.${index}`);
      if (!wanted.includes(stored)) wanted.push(stored);
    }
    const watched = new Set([...client.slots].map((slot) => slot.key));
    const added = wanted.filter((w) => !watched.has(`${site}|${w.definition.id}`)).length;
    if (watched.size + added > MAX_WINDOWS_PER_CLIENT)
      return failure(`a connection may watch at most ${MAX_WINDOWS_PER_CLIENT} windows`, 'windows');

    const acquired: ViewSlot[] = [];
    try {
      for (const stored of wanted) acquired.push(await context.hub.acquire(site, stored));
    } catch (error) {
      for (const slot of acquired) context.hub.release(slot);
      context.logger.warn({ err: error, site }, 'could not read window results for a subscription');
      return failure('window results are unavailable right now; retry', 'windows');
    }
    if (!client.socket.connected) {
      for (const slot of acquired) context.hub.release(slot);
      return failure('disconnected', 'request');
    }
    for (const slot of acquired) context.hub.attach(client, slot);
    if (feed) context.hub.clients.joinFeed(client, rooms.feed(site));
    remember(client);
    return { ok: true, windows: wanted.map((w) => w.definition.id) };
  } catch (error) {
    context.logger.error({ err: error, site }, 'subscribe failed');
    return failure('internal error', 'request');
  }
}

/** `unsubscribe({site, windows, feed})`: stops the listed windows, and the feed when `feed` is true. */
export function unsubscribe(hub: ViewHub, client: Client, request: ParsedRequest): void {
  for (const slot of [...client.slots]) {
    if (slot.site === request.site && request.windows.includes(slot.view.windowId)) hub.detach(client, slot);
  }
  if (request.feed) hub.clients.leaveFeed(client, rooms.feed(request.site));
  remember(client);
}

/** SocketData.subscriptions: the rooms the connection watches (visible to `fetchSockets` on any node). */
function remember(client: Client): void {
  client.socket.data.subscriptions = [
    ...[...client.slots].map((slot) => rooms.window(slot.site, slot.view.windowId)),
    ...client.feeds,
  ];
}
