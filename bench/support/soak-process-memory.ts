import { readFileSync } from 'node:fs';
import { NODE_PROCS, type NodeProc } from './soak-model';
import { round } from './soak-stats';

/**
 * Memory of the soak's processes as the OS and V8 see it: resident set size from /proc (what the machine
 * pays), and the live heap from --trace-gc (what survives a full GC: a leak shows there first, without the
 * noise of heap that is merely not collected yet).
 */

/** A process's VmRSS in MB, or null when it is unknown or gone. */
export function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : round(Number(kb) / 1024, 1);
  } catch {
    return null; // gone
  }
}

const GC_LINE = /^\[\d+:0x[0-9a-f]+\]\s+[\d.]+ ms: /;
const MARK_COMPACT = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;

/** The heap left after each Node process's latest full GC, read off its --trace-gc output. */
export class LiveHeapTracker {
  private readonly byProc: Record<NodeProc, { lastMb: number | null; fullGcs: number }> = {
    server: { lastMb: null, fullGcs: 0 },
    aggregator: { lastMb: null, fullGcs: 0 },
    archiver: { lastMb: null, fullGcs: 0 },
    janitor: { lastMb: null, fullGcs: 0 },
  };

  /** Takes in one stdout line of `proc`; false when it is not --trace-gc output (the process's own). */
  consumeLine(proc: NodeProc, line: string): boolean {
    if (!GC_LINE.test(line)) return false;
    const afterMb = MARK_COMPACT.exec(line)?.[1];
    if (afterMb !== undefined) {
      this.byProc[proc].lastMb = Number(afterMb);
      this.byProc[proc].fullGcs++;
    }
    return true;
  }

  liveHeapMb(): Record<NodeProc, number | null> {
    return Object.fromEntries(NODE_PROCS.map((p) => [p, this.byProc[p].lastMb])) as Record<
      NodeProc,
      number | null
    >;
  }

  fullGcs(): Record<NodeProc, number> {
    return Object.fromEntries(NODE_PROCS.map((p) => [p, this.byProc[p].fullGcs])) as Record<NodeProc, number>;
  }
}
