'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../lib/realtime/contract';
import {
  HEALTH_INTERVAL_MS,
  type Health,
  healthSchema,
  healthSubscribeReplySchema,
} from '../../../lib/realtime/health';
import { api } from './api';
import type { Polled } from './use-polling';

type HealthSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * How the page gets its figures: `live` (socket messages), `connecting` (first connection),
 * `reconnecting` (the socket is down or silent), `polling` (the server refused the subscription: HTTP only).
 */
export type HealthLink = 'connecting' | 'live' | 'reconnecting' | 'polling';

/** How long the socket may take to (re)connect and subscribe before the page reads over HTTP meanwhile. */
const FALLBACK_AFTER_MS = 3_000;
/** Subscribed but silent this long (the server cannot compute it, or dropped an expired session). */
const SILENT_AFTER_MS = 3_500;
const ACK_TIMEOUT_MS = 5_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Pipeline health, live: one socket.io connection subscribed with `health:subscribe`, one message a second.
 * While the socket is not live (not connected within a few seconds, disconnected, silent, or refused),
 * `GET /api/admin/health` is polled every second instead, and stops as soon as messages flow again. A
 * refusal means the session is gone or not an admin's: the poll's 401 then leads to the login page.
 * `updatedAtMs` is when the browser received the figures, whichever way they came.
 */
export function useLiveHealth(): { state: Polled<Health>; link: HealthLink } {
  const [state, setState] = useState<Polled<Health>>({ status: 'loading' });
  const [link, setLink] = useState<HealthLink>('connecting');

  useEffect(() => {
    const controller = new AbortController();
    let disposed = false;
    /** Subscribed and hearing from the server: the HTTP poll stands down. */
    let live = false;
    let refused = false;
    /** An HTTP poll loop is active (a request in flight or its next one scheduled). */
    let polling = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let fallbackTimer: ReturnType<typeof setTimeout> | undefined;
    let silenceTimer: ReturnType<typeof setTimeout> | undefined;

    const show = (data: Health) => setState({ status: 'ready', data, updatedAtMs: Date.now() });
    const fail = (error: string) =>
      setState((previous) =>
        previous.status === 'ready' ? { ...previous, error } : { status: 'error', error },
      );

    const poll = async (): Promise<void> => {
      pollTimer = undefined;
      if (disposed || live) {
        polling = false;
        return;
      }
      try {
        const result = await api('GET', '/api/admin/health', healthSchema, { signal: controller.signal });
        // A socket message may have arrived meanwhile: it is newer, keep it.
        if (!disposed && !live) {
          if (result.ok) show(result.data);
          else fail(result.error.error);
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        if (!live) fail(message(error));
      }
      if (disposed || live) {
        polling = false;
        return;
      }
      pollTimer = setTimeout(() => void poll(), HEALTH_INTERVAL_MS);
    };

    const fallBack = (next: HealthLink) => {
      live = false;
      clearTimeout(fallbackTimer);
      clearTimeout(silenceTimer);
      setLink(next);
      if (!polling) {
        polling = true;
        void poll();
      }
    };
    /** Down or not up yet: keep trying, and poll if it is not back within FALLBACK_AFTER_MS. */
    const waitThenFallBack = (next: HealthLink) => {
      live = false;
      clearTimeout(silenceTimer);
      setLink(next);
      clearTimeout(fallbackTimer);
      fallbackTimer = setTimeout(() => fallBack(next), FALLBACK_AFTER_MS);
    };
    /** No message for SILENT_AFTER_MS: read over HTTP meanwhile, and subscribe again. */
    const armSilence = () => {
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => {
        fallBack('reconnecting');
        subscribe();
        armSilence();
      }, SILENT_AFTER_MS);
    };
    /** A health message: live until the socket goes down or quiet. */
    const heard = () => {
      live = true;
      setLink('live');
      clearTimeout(fallbackTimer);
      if (pollTimer !== undefined) {
        clearTimeout(pollTimer);
        pollTimer = undefined;
        polling = false;
      }
      armSilence();
    };

    const socket: HealthSocket = io({
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3_000,
      timeout: 5_000,
    });
    const subscribe = () => {
      if (!socket.connected) return;
      socket.timeout(ACK_TIMEOUT_MS).emit('health:subscribe', (error, reply) => {
        if (disposed) return;
        if (error) {
          // No answer: the connection is probably going down ('connect' subscribes again); if it is not,
          // the silence timer asks again.
          fallBack('reconnecting');
          armSilence();
          return;
        }
        const parsed = healthSubscribeReplySchema.safeParse(reply);
        if (parsed.success && parsed.data.ok) {
          // Subscribed: the first message follows within a second; "live" once it is here.
          clearTimeout(fallbackTimer);
          armSilence();
          return;
        }
        refused = true;
        socket.disconnect();
        fallBack('polling');
      });
    };

    waitThenFallBack('connecting');
    socket.on('connect', subscribe);
    socket.on('disconnect', (reason) => {
      if (disposed || refused) return;
      waitThenFallBack('reconnecting');
      // The server closed this socket on purpose: socket.io does not reconnect by itself then.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('health', (health) => {
      const parsed = healthSchema.safeParse(health);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        fail(
          `unexpected health message (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
        );
        return;
      }
      show(parsed.data);
      heard();
    });

    return () => {
      disposed = true;
      controller.abort();
      clearTimeout(pollTimer);
      clearTimeout(fallbackTimer);
      clearTimeout(silenceTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  return { state, link };
}
