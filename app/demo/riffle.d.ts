/**
 * The global the tracking snippet (public/js/script.js) defines. Before the snippet loads, the inline stub
 * in app/demo/layout.tsx queues calls in `riffle.q`; the snippet replays them once it runs.
 */

type RiffleProps = Record<string, string | number | boolean>;

interface RiffleOptions {
  props?: RiffleProps;
  /** Called once the event has been handed to the network (or dropped). */
  callback?: () => void;
}

interface RiffleFunction {
  (name: string, options?: RiffleOptions): void;
  /** Calls made before the snippet loaded. */
  q?: unknown[];
}

interface Window {
  riffle?: RiffleFunction;
}
