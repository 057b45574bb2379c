'use client';

import { useEffect, useRef, useState } from 'react';
import { errorMessage } from './fetch-json';

export type Polled<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T; error?: string }
  | { status: 'error'; error: unknown; message: string };

/**
 * Runs `load` now and then again after `interval` ms (each run starts after the previous one ended; a
 * function picks the delay from the last good data), aborting on unmount or when `key` changes. Keeps the
 * last good data under a later error, so a blip does not blank it.
 */
export function usePolling<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  interval: number | ((data: T | undefined) => number),
): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ status: 'loading' });
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(interval);
  intervalRef.current = interval;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    setState({ status: 'loading' });
    const run = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        last = data;
        if (!controller.signal.aborted) setState({ status: 'ready', data });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) =>
          previous.status === 'ready'
            ? { ...previous, error: errorMessage(error) }
            : { status: 'error', error, message: errorMessage(error) },
        );
      }
      if (controller.signal.aborted) return;
      const next = intervalRef.current;
      timer = setTimeout(run, typeof next === 'function' ? next(last) : next);
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key]);

  return key === null ? { status: 'loading' } : state;
}
