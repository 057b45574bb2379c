/**
 * Traffic generator: simulated visitors of the demo shop, posting their events to the collect API the way
 * the snippet does. For load and for a dashboard that has something to show.
 *
 *   npm run traffic -- --rate 200 --duration 60
 *
 * Defaults (see --help): 200 events/s for 60 s (max 3600 s) to http://127.0.0.1:$PORT, site "demo", random
 * seed, loopback hosts only unless --allow-remote.
 *
 * Model (scripts/traffic/): visitors arrive as a Poisson process at --rate / (mean events per visit), with
 * a faster start that fills the gap while no visit is under way yet (arrivals.ts), so the total event rate is
 * ≈ --rate from the first second. Each visitor has a weighted user agent, a random public IP (sent as
 * X-Forwarded-For, which the server trusts from loopback peers), a landing referrer and a walk of 1–12 pages
 * (geometric, mean ≈ 4). Think times are realistic (median 15 s) but compressed on short runs so that a
 * visit lasts at most ~5% of the run. Each visitor batches its events and flushes at 10 events or 1 s, and
 * when the visit ends.
 */

import { randomBytes } from 'node:crypto';
import { loadConfig } from '../lib/config';
import { Arrivals, arrivalProfile } from './traffic/arrivals';
import { helpText, parseTrafficArgs, type TrafficOptions } from './traffic/options';
import { Rng } from './traffic/prng';
import { type Batch, Sender } from './traffic/sender';
import { estimateVisitorShape, TrafficModel, type VisitorPlan } from './traffic/session';

const TICK_MS = 20;
const PROGRESS_EVERY_MS = 5000;
const FLUSH_AT_EVENTS = 10;
const FLUSH_AFTER_MS = 1000;
/** Mean visit length as a fraction of the run at most, so that most visits finish within the run. */
const VISIT_FRACTION_OF_RUN = 0.05;
const DRAIN_TIMEOUT_MS = 5000;

interface ActiveVisitor {
  plan: VisitorPlan;
  startMs: number;
  cursor: number;
  buffer: Batch['events'];
  bufferSinceMs: number;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const perSecond = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : 0).toFixed(1);

function defaultUrl(): { url: string | undefined; problem: string | undefined } {
  try {
    return { url: `http://127.0.0.1:${loadConfig().PORT}`, problem: undefined };
  } catch (error) {
    return { url: undefined, problem: error instanceof Error ? error.message : String(error) };
  }
}

async function run(options: TrafficOptions): Promise<number> {
  const seed = options.seed ?? randomBytes(6).toString('hex');
  const durationMs = options.durationS * 1000;
  const realistic = estimateVisitorShape(seed);
  const thinkScale = Math.min(1, (durationMs * VISIT_FRACTION_OF_RUN) / realistic.meanDurationMs);
  const shape = estimateVisitorShape(seed, thinkScale);
  const profile = arrivalProfile(options.rate / 1000, shape);
  const arrivals = new Arrivals(Rng.derive(seed, 'arrivals'), profile);
  const model = new TrafficModel({ seed, baseUrl: options.url, thinkScale });
  const sender = new Sender({
    collectUrl: `${options.url}/api/collect`,
    site: options.site,
    maxInFlight: 64,
    maxAttempts: 4,
    timeoutMs: 10_000,
    maxQueued: 10_000,
  });

  console.log(
    `→ POST ${options.url}/api/collect · site ${options.site} · ${options.rate} events/s for ${options.durationS} s · seed ${seed}`,
  );
  console.log(
    `  ${shape.meanEvents.toFixed(1)} events per visit → ${(profile.steadyPerMs * 1000).toFixed(1)} visitors/s; ` +
      `visits last ~${(shape.meanDurationMs / 1000).toFixed(1)} s (think times ×${thinkScale.toFixed(3)})`,
  );

  const active: ActiveVisitor[] = [];
  let generated = 0;
  let nextArrivalMs = arrivals.next();
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;

  const flush = (visitor: ActiveVisitor) => {
    if (visitor.buffer.length === 0) return;
    sender.send({ events: visitor.buffer, userAgent: visitor.plan.profile.userAgent, ip: visitor.plan.ip });
    visitor.buffer = [];
  };

  const tick = () => {
    const now = elapsed();
    while (nextArrivalMs <= now) {
      active.push({
        plan: model.nextVisitor(),
        startMs: nextArrivalMs,
        cursor: 0,
        buffer: [],
        bufferSinceMs: 0,
      });
      nextArrivalMs = arrivals.next();
    }
    let kept = 0;
    for (const visitor of active) {
      const planned = visitor.plan.events;
      for (let next = planned[visitor.cursor]; next; next = planned[visitor.cursor]) {
        if (visitor.startMs + next.atMs > now) break;
        visitor.cursor++;
        generated++;
        if (visitor.buffer.length === 0) visitor.bufferSinceMs = now;
        visitor.buffer.push({ ...next.event, ts: Date.now() });
        if (visitor.buffer.length >= FLUSH_AT_EVENTS) flush(visitor);
      }
      const finished = visitor.cursor >= planned.length;
      // Like the snippet: flush when the oldest buffered event is 1 s old, and at once when the visit ends.
      if (finished || now - visitor.bufferSinceMs >= FLUSH_AFTER_MS) flush(visitor);
      if (!finished) active[kept++] = visitor;
    }
    active.length = kept;
  };

  let last = { at: 0, generated: 0, accepted: 0 };
  const progress = () => {
    const at = elapsed();
    const { stats } = sender;
    const errors = [...stats.errors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[${(at / 1000).toFixed(0).padStart(4)}s] generated ${count(generated)} (${perSecond(generated - last.generated, at - last.at)}/s)` +
        ` · accepted ${count(stats.accepted)} (${perSecond(stats.accepted - last.accepted, at - last.at)}/s)` +
        ` · ${count(stats.requests)} requests · ${count(errors)} errors · ${sender.inFlight} in flight` +
        ` · ${sender.queued} queued · ${active.length} visitors`,
    );
    last = { at, generated, accepted: stats.accepted };
  };

  const ticker = setInterval(tick, TICK_MS);
  const reporter = setInterval(progress, PROGRESS_EVERY_MS);
  let stop: (reason: 'done' | 'interrupted') => void = () => {};
  const stopped = new Promise<'done' | 'interrupted'>((resolve) => {
    stop = resolve;
  });
  const deadline = setTimeout(() => stop('done'), durationMs);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.log('\nInterrupted: finishing in-flight requests (Ctrl-C again to quit at once)…');
    stop('interrupted');
  };
  process.on('SIGINT', onSigint);

  const reason = await stopped;
  const runMs = elapsed();
  clearInterval(ticker);
  clearInterval(reporter);
  clearTimeout(deadline);
  tick();
  for (const visitor of active) flush(visitor);
  await sender.drain(DRAIN_TIMEOUT_MS);
  process.off('SIGINT', onSigint);

  const { stats } = sender;
  const errors = [...stats.errors].map(([key, n]) => `${key}×${count(n)}`).join(', ') || 'none';
  console.log(
    [
      `\n${reason === 'done' ? 'Done' : 'Stopped'} after ${(runMs / 1000).toFixed(1)} s (seed ${seed}):`,
      `  events generated  ${count(generated)}`,
      `  requests sent     ${count(stats.requests)} (${count(stats.retries)} retries)`,
      `  events accepted   ${count(stats.accepted)} (${count(stats.duplicates)} duplicates)`,
      `  events rejected   ${count(stats.rejected)}${stats.dropped ? ` (+${count(stats.dropped)} dropped as bot/DNT)` : ''}`,
      `  events lost       ${count(stats.lost)} (not delivered)`,
      `  HTTP errors       ${errors}`,
      `  achieved          ${perSecond(stats.accepted, runMs)} events/s accepted (${perSecond(generated, runMs)}/s generated, target ${options.rate})`,
    ].join('\n'),
  );
  if (stats.accepted === 0) {
    console.error('No event was accepted: is the server running, and does the site exist?');
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  const fallback = defaultUrl();
  const parsed = parseTrafficArgs(process.argv.slice(2), fallback.url);
  if (parsed.kind === 'help') {
    console.log(helpText(fallback.url));
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`traffic: ${parsed.message}${fallback.problem ? `\n${fallback.problem}` : ''}`);
    console.error('Run with --help for the options.');
    return 2;
  }
  return run(parsed.options);
}

process.exitCode = await main();
