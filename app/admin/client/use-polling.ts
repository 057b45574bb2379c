'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

export type Polled<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T; error?: string; updatedAtMs: number }
  | { status: 'error'; error: string };

/**
 * Loads now and again `intervalMs` after each answer (never two requests at once); a failed refresh keeps
 * the last data and says what went wrong. `reload()` asks again at once (after a change).
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<{ ok: true; data: T } | { ok: false; message: string }>,
  intervalMs: number,
): { state: Polled<T>; reload: () => void } {
  const [state, setState] = useState<Polled<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the reload trigger.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const result = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        setState((previous) => {
          if (result.ok) return { status: 'ready', data: result.data, updatedAtMs: Date.now() };
          return previous.status === 'ready'
            ? { ...previous, error: result.message }
            : { status: 'error', error: result.message };
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        setState((previous) =>
          previous.status === 'ready' ? { ...previous, error: message } : { status: 'error', error: message },
        );
      }
      if (!controller.signal.aborted && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [intervalMs, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { state, reload };
}
