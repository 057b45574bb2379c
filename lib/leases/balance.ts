/**
 * Lease balancing as the Kinesis Client Library does it, as a pure function so it can be tested alone:
 * take free (absent or expired) leases first, up to the fair share; steal only when no lease is free, one
 * at a time, from the most loaded worker, and never when that worker holds just one more than we do
 * (else two workers would trade a lease back and forth forever).
 */

export interface LeaseView {
  shard: number;
  /** Worker id of the holder, or null when the lease is free (absent or expired). */
  owner: string | null;
  /** The lease value `owner:epoch`, needed to steal it conditionally. */
  value: string | null;
}

export interface LeasePlan {
  take: number[];
  steal: { shard: number; from: string; value: string } | null;
}

export function planLeases(
  me: string,
  liveWorkers: readonly string[],
  leases: readonly LeaseView[],
): LeasePlan {
  const workers = liveWorkers.includes(me) ? liveWorkers : [...liveWorkers, me];
  const target = Math.ceil(leases.length / workers.length);
  const counts = new Map<string, number>(workers.map((w) => [w, 0]));
  for (const lease of leases)
    if (lease.owner !== null) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  const mine = counts.get(me) ?? 0;
  if (mine >= target) return { take: [], steal: null };

  const free = leases.filter((l) => l.owner === null).map((l) => l.shard);
  if (free.length > 0) return { take: free.slice(0, target - mine), steal: null };

  let victim: string | undefined;
  let victimCount = -1;
  for (const [worker, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (worker !== me && count > victimCount) {
      victim = worker;
      victimCount = count;
    }
  }
  if (victim === undefined || victimCount - mine < 2) return { take: [], steal: null };
  const candidate = leases.find((l) => l.owner === victim);
  if (!candidate?.value) return { take: [], steal: null };
  return { take: [], steal: { shard: candidate.shard, from: victim, value: candidate.value } };
}
