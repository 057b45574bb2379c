import type { Rng } from './prng';

/**
 * When visitors arrive. In steady state a Poisson process of rate R / E (R events/s wanted, E events per
 * visit) gives R events/s. At the start nobody is mid-visit yet, so a constant arrival rate would ramp up
 * over a whole visit length; instead the first visitors arrive faster, by exactly as much as the visits
 * already in progress fall short: a_n = (R·Δ − Σ_{k<n} a_k·g_{n−k}) / g_0, where a_n is the expected
 * arrivals in time bin n and g_j the expected events a visit emits j bins after it started. The burst decays
 * to the steady rate within about one visit length.
 */

export interface VisitSamples {
  /** Visits sampled. */
  visits: number;
  /** Every sampled event's offset from the start of its visit, in ms. */
  eventAgesMs: readonly number[];
}

export interface ArrivalProfile {
  binMs: number;
  /** Arrival intensity (visitors per ms) of each bin from the start; after the last, `steadyPerMs`. */
  perMs: Float64Array;
  steadyPerMs: number;
}

const BINS = 400;

/** How long the warm-up lasts: until visits started at t=0 have emitted 99.5% of their events (≥ 1 s). */
export function warmUpHorizonMs(samples: VisitSamples): number {
  const ages = samples.eventAgesMs.toSorted((x, y) => x - y);
  return Math.max(1000, ages[Math.floor(ages.length * 0.995)] ?? 0);
}

/** Solves the warm-up recurrence above for `eventsPerMs` (after the horizon, the rate is steady). */
export function arrivalProfile(
  eventsPerMs: number,
  samples: VisitSamples,
  horizonMs = warmUpHorizonMs(samples),
): ArrivalProfile {
  const meanEvents = samples.eventAgesMs.length / samples.visits;
  const steadyPerMs = eventsPerMs / meanEvents;
  const binMs = Math.max(1, horizonMs / BINS);
  const g = new Float64Array(BINS);
  for (const age of samples.eventAgesMs) {
    const bin = Math.floor(age / binMs);
    if (bin < BINS) g[bin] = (g[bin] ?? 0) + 1 / samples.visits;
  }
  const g0 = g[0] ?? 0;
  const a = new Float64Array(BINS);
  if (g0 <= 0) return { binMs, perMs: a.fill(steadyPerMs), steadyPerMs };
  for (let n = 0; n < BINS; n++) {
    let inProgress = 0;
    for (let k = 0; k < n; k++) inProgress += (a[k] ?? 0) * (g[n - k] ?? 0);
    // Clamped at 0: when earlier arrivals already cover a bin, nobody new arrives in it.
    a[n] = Math.max(0, (eventsPerMs * binMs - inProgress) / g0);
  }
  return { binMs, perMs: a.map((arrivals) => arrivals / binMs), steadyPerMs };
}

/** Arrival times (ms from the start) of a non-homogeneous Poisson process with the given profile. */
export class Arrivals {
  private t = 0;
  /** The bin `t` is in, tracked apart from t because floor(t / binMs) can round down at a bin edge. */
  private bin = 0;

  constructor(
    private readonly rng: Rng,
    private readonly profile: ArrivalProfile,
  ) {}

  next(): number {
    const { binMs, perMs, steadyPerMs } = this.profile;
    // Inversion: walk the piecewise-constant intensity until it has accumulated an Exp(1) draw.
    let remaining = this.rng.exponential(1);
    for (;;) {
      const inWarmUp = this.bin < perMs.length;
      const rate = inWarmUp ? (perMs[this.bin] ?? 0) : steadyPerMs;
      const binEnd = inWarmUp ? (this.bin + 1) * binMs : Number.POSITIVE_INFINITY;
      const available = rate * (binEnd - this.t);
      if (rate > 0 && remaining <= available) {
        this.t += remaining / rate;
        return this.t;
      }
      remaining -= available;
      this.t = binEnd;
      this.bin++;
    }
  }
}
