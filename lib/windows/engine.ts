import type { FinalValue } from './aggregates';
import { Ledger, parseCell } from './cells';
import { aggregatesOf, type CompiledWindow, compileWindow } from './compile';
import type { CoreContext, WindowCore } from './cores/core';
import { SessionCore } from './cores/session';
import { SlidingCore } from './cores/sliding';
import { StaggerCore } from './cores/stagger';
import { TumblingCore } from './cores/tumbling';
import type { WindowDefinition } from './definition';
import type { EngineDelta, EngineInput, EngineSnapshot, WindowResult } from './types';

export type { FinalValue, TopKValue } from './aggregates';
export { MAX_GROUPS_PER_WINDOW, MAX_OPEN_PARTITIONS } from './cores/core';
export type {
  EngineDelta,
  EngineInput,
  EngineSnapshot,
  LateCount,
  Scalar,
  WindowResult,
} from './types';

/**
 * One definition on one shard: a pure, deterministic fold of the shard's inputs (events and ticks, in
 * stream order) into window state, FINAL results, late counts and live values. See docs/windows.md.
 *
 * Per input: observed time OT = max(OT, the input's time); an event is then checked for lateness and
 * applied; then every window with `OT ≥ end + grace` closes (emits its FINAL, its state is dropped).
 * Events of other sites (when the definition names one) and events failing `where` are ignored before
 * anything else: they neither advance OT nor count as late.
 */
export class WindowEngine {
  readonly #cw: CompiledWindow;
  readonly #ledger: Ledger;
  readonly #core: WindowCore;
  #ot = 0;

  constructor(def: WindowDefinition, snapshot?: EngineSnapshot) {
    this.#cw = compileWindow(def);
    this.#ledger = new Ledger(this.#cw.aggs);
    const ctx: CoreContext = { cw: this.#cw, ledger: this.#ledger };
    this.#core = createCore(def, ctx);
    if (snapshot !== undefined) {
      // A store that never saw this engine's OT reports −∞: the same as a fresh engine.
      this.#ot = Number.isFinite(snapshot.observedTimeMs) ? snapshot.observedTimeMs : 0;
      for (const [id, value] of snapshot.cells) {
        const parsed = parseCell(id, value, this.#cw.aggs);
        if (parsed.tag !== CELL_TAGS[def.type])
          throw new Error(`cell ${id} does not belong to a ${def.type} window`);
        this.#core.restore(parsed);
      }
      this.#core.finishRestore(this.#ot);
    }
  }

  get observedTimeMs(): number {
    return this.#ot;
  }

  apply(input: EngineInput): void {
    const core = this.#core;
    if (input.kind === 'tick') {
      const t = this.#cw.time.tickTime(input.ingestMs);
      if (t > this.#ot) this.#ot = t;
    } else {
      const { event, ingestMs } = input;
      const accepts = this.#cw.accepts;
      if (accepts !== undefined && !accepts(event, ingestMs)) return;
      const t = this.#cw.time.eventTime(event, ingestMs);
      if (t > this.#ot) this.#ot = t;
      core.add(t, event, ingestMs, this.#ot);
    }
    if (this.#ot >= core.nextCloseAt) core.close(this.#ot);
  }

  applyAll(inputs: Iterable<EngineInput>): void {
    for (const input of inputs) this.apply(input);
  }

  /** Changes since the previous drain; afterwards the engine holds no pending delta. */
  drain(): EngineDelta {
    return this.#ledger.drain(this.#ot);
  }

  /** Current (final: false) values of open windows changed since the previous live(). */
  live(): WindowResult[] {
    return this.#core.live(this.#ot);
  }
}

const CELL_TAGS = { tumbling: 'w', sliding: 'p', session: 's', stagger: 'g' } as const;

function createCore(def: WindowDefinition, ctx: CoreContext): WindowCore {
  switch (def.type) {
    case 'tumbling':
      return new TumblingCore(ctx);
    case 'sliding':
      return new SlidingCore(ctx);
    case 'session':
      return new SessionCore(ctx);
    case 'stagger':
      return new StaggerCore(ctx);
  }
}

/** Merges two emitted states of the same window and key from different shards (or two partial merges). */
export function mergeResultStates(def: WindowDefinition, a: string, b: string): string {
  const aggs = aggregatesOf(def);
  const merged = aggs.merge(aggs.fromJSON(JSON.parse(a)), aggs.fromJSON(JSON.parse(b)));
  return JSON.stringify(aggs.toResultJSON(merged));
}

/** The values a (merged) emitted state shows, by aggregate name. */
export function finalizeResult(def: WindowDefinition, state: string): Record<string, FinalValue> {
  const aggs = aggregatesOf(def);
  return aggs.finalize(aggs.fromJSON(JSON.parse(state)));
}
