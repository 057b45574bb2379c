'use client';

import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../lib/realtime/contract';
import { accessHeaders, loginRedirect, shareToken } from '../model/access';
import { feedFromRecent } from '../model/feed';
import { subscribeReplySchema } from '../model/schemas';
import { INITIAL_LIVE_STATE, type LiveState, LiveStore } from './live-store';

type DashboardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Failed reconnection attempts after which the dot says "offline" (it keeps trying). */
const OFFLINE_AFTER_ATTEMPTS = 4;
const ACK_TIMEOUT_MS = 10_000;
const MAX_SUBSCRIBE_ATTEMPTS = 5;

/**
 * Subscribes `windows` (and the feed) and handles the answer: a window the server does not know is left
 * out and the rest subscribed again; "unavailable right now" is retried with a growing delay.
 */
function subscribe(
  socket: DashboardSocket,
  live: LiveStore,
  windows: readonly string[],
  feed: boolean,
  attempt = 0,
): void {
  if (!socket.connected || (windows.length === 0 && !feed)) return;
  live.beginSubscription(windows);
  socket
    .timeout(ACK_TIMEOUT_MS)
    .emit('subscribe', { site: live.site, windows: [...windows], feed }, (error, reply) => {
      if (error) {
        // No answer: the connection is probably going down; the next 'connect' subscribes again.
        live.setStatus(live.getState().status, 'the server did not answer the subscription');
        return;
      }
      const parsed = subscribeReplySchema.safeParse(reply);
      if (!parsed.success) {
        live.refuse(windows);
        live.setStatus('connected', 'unexpected answer to the subscription');
        return;
      }
      if (parsed.data.ok) {
        live.confirmSubscription(windows, parsed.data.windows);
        live.setStatus('connected', null);
        return;
      }
      const { error: message, field } = parsed.data;
      if (field === 'session' && shareToken() === undefined) {
        window.location.assign(loginRedirect());
        return;
      }
      const index = /^windows\.(\d+)$/.exec(field ?? '')?.[1];
      const unknown = index === undefined ? undefined : windows[Number(index)];
      if (unknown !== undefined && attempt < windows.length) {
        live.refuse([unknown]);
        subscribe(
          socket,
          live,
          windows.filter((id) => id !== unknown),
          feed,
          attempt + 1,
        );
        return;
      }
      if (field === 'windows' && attempt < MAX_SUBSCRIBE_ATTEMPTS) {
        setTimeout(() => subscribe(socket, live, windows, feed, attempt + 1), 500 * 2 ** attempt);
        return;
      }
      live.refuse(windows);
      live.setStatus('connected', `the server refused the subscription: ${message}`);
    });
}

/** Stored events that fill the feed on (re)connect. */
const FEED_SEED = 50;

/** The newest stored events, so the feed is not empty on load and has no hole after a reconnect. */
async function seedFeed(live: LiveStore, signal: AbortSignal): Promise<void> {
  try {
    const url = `/api/streams/recent?site=${encodeURIComponent(live.site)}&limit=${FEED_SEED}`;
    const response = await fetch(url, { cache: 'no-store', headers: accessHeaders(), signal });
    if (response.ok) live.seedFeed(feedFromRecent(await response.json(), live.site));
  } catch {
    // best effort: the live feed fills up from the socket anyway
  }
}

/**
 * One socket.io connection per dashboard: subscribes to the site's windows and live feed, applies each
 * window's snapshot and then its deltas, and subscribes again after every reconnect (a fresh snapshot
 * replaces what is on screen, so nothing is counted twice and nothing missed while away is lost).
 */
export function useSiteSocket(site: string, windowIds: readonly string[]): LiveState {
  const [store, setStore] = useState<LiveStore | null>(null);
  const socketRef = useRef<DashboardSocket | null>(null);
  const subscribedRef = useRef<string[]>([]);
  const wantedRef = useRef<readonly string[]>(windowIds);
  wantedRef.current = windowIds;

  useEffect(() => {
    const live = new LiveStore(site);
    const share = shareToken();
    const socket: DashboardSocket = io({
      ...(share === undefined ? {} : { auth: { share } }),
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3_000,
      timeout: 5_000,
    });
    socketRef.current = socket;
    setStore(live);
    const controller = new AbortController();

    socket.on('connect', () => {
      subscribedRef.current = [...wantedRef.current];
      subscribe(socket, live, subscribedRef.current, true);
      if (subscribedRef.current.length === 0) live.setStatus('connected');
      void seedFeed(live, controller.signal);
    });
    socket.on('disconnect', (reason) => {
      live.setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
      // The server closed this socket on purpose: socket.io does not reconnect by itself then.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', () => {
      if (!socket.active) live.setStatus('offline', 'the connection was refused');
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      live.setStatus(attempt > OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'reconnecting');
    });
    socket.on('snapshot', (snapshot) => live.handleSnapshot(snapshot));
    socket.on('delta', (delta) => live.handleDelta(delta));
    socket.on('feed', (message) => live.handleFeed(message));

    const offline = () => live.setStatus('offline');
    const online = () => {
      if (!socket.connected) live.setStatus('reconnecting');
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      controller.abort();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
      subscribedRef.current = [];
    };
  }, [site]);

  // The window list changed (a window was defined in the admin): follow it on the open connection.
  const wantedKey = windowIds.join(',');
  useEffect(() => {
    const socket = socketRef.current;
    if (!store || !socket?.connected) return;
    const wanted = wantedKey === '' ? [] : wantedKey.split(',');
    const current = subscribedRef.current;
    const added = wanted.filter((id) => !current.includes(id));
    const removed = current.filter((id) => !wanted.includes(id));
    subscribedRef.current = wanted;
    if (removed.length > 0) {
      socket.emit('unsubscribe', { site, windows: removed, feed: false });
      store.forget(removed);
    }
    // The feed again too: joining it twice is harmless, and it recovers a feed-only subscribe that failed.
    if (added.length > 0) subscribe(socket, store, added, true);
  }, [store, site, wantedKey]);

  return useSyncExternalStore(
    store?.subscribe ?? noopSubscribe,
    store?.getState ?? initialState,
    initialState,
  );
}

const noopSubscribe = () => () => {};
const initialState = () => INITIAL_LIVE_STATE;
