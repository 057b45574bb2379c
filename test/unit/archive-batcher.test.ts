import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BatchBuilder, type BatchLimits, type ClosedBatch, type LogEntry } from '../../lib/archive/batcher';

const HOUR_MS = 3_600_000;
const BASE_MS = Date.UTC(2026, 10, 26, 10);

function events(ms: number, bytes: number, seq = 0): LogEntry {
  return { id: `${ms}-${seq}`, ms, kind: 'events', data: Buffer.from('[]'), bytes };
}
function tick(ms: number, seq = 0): LogEntry {
  return { id: `${ms}-${seq}`, ms, kind: 'tick', data: Buffer.alloc(0), bytes: 0 };
}

function run(
  limits: BatchLimits,
  log: readonly LogEntry[],
): { batches: ClosedBatch[]; builder: BatchBuilder } {
  const builder = new BatchBuilder(limits);
  const batches = log.flatMap((entry) => builder.push(entry));
  return { batches, builder };
}

const summary = (batches: readonly ClosedBatch[]) =>
  batches.map((b) => ({ ids: b.entries.map((e) => e.id), lastId: b.lastId, reason: b.reason }));

describe('archive batch boundaries', () => {
  const cases: Array<{
    name: string;
    limits: BatchLimits;
    log: LogEntry[];
    expected: ReturnType<typeof summary>;
    pending?: string;
  }> = [
    {
      name: 'size: the entry that reaches maxBytes is the last of its batch',
      limits: { maxBytes: 1_000, maxIntervalMs: 60_000 },
      log: [
        events(BASE_MS, 400),
        events(BASE_MS + 1, 400),
        events(BASE_MS + 2, 400),
        events(BASE_MS + 3, 999),
        events(BASE_MS + 4, 1),
      ],
      expected: [
        {
          ids: [`${BASE_MS}-0`, `${BASE_MS + 1}-0`, `${BASE_MS + 2}-0`],
          lastId: `${BASE_MS + 2}-0`,
          reason: 'size',
        },
        { ids: [`${BASE_MS + 3}-0`, `${BASE_MS + 4}-0`], lastId: `${BASE_MS + 4}-0`, reason: 'size' },
      ],
    },
    {
      name: 'interval: the first entry at first + interval closes the batch before itself',
      limits: { maxBytes: 1_000_000, maxIntervalMs: 1_000 },
      log: [
        events(BASE_MS, 10),
        events(BASE_MS + 500, 10),
        events(BASE_MS + 999, 10),
        events(BASE_MS + 1_000, 10),
      ],
      expected: [
        {
          ids: [`${BASE_MS}-0`, `${BASE_MS + 500}-0`, `${BASE_MS + 999}-0`],
          lastId: `${BASE_MS + 999}-0`,
          reason: 'interval',
        },
      ],
      pending: `${BASE_MS + 1_000}-0`,
    },
    {
      name: 'a tick at the deadline closes the batch; ticks inside it are covered, ticks before it are not',
      limits: { maxBytes: 1_000_000, maxIntervalMs: 1_000 },
      log: [
        tick(BASE_MS - 500),
        events(BASE_MS, 10),
        tick(BASE_MS + 400),
        tick(BASE_MS + 1_000),
        tick(BASE_MS + 2_000),
      ],
      expected: [{ ids: [`${BASE_MS}-0`], lastId: `${BASE_MS + 400}-0`, reason: 'interval' }],
    },
    {
      name: 'hour: a batch never crosses a UTC hour, even inside its interval',
      limits: { maxBytes: 1_000_000, maxIntervalMs: 900_000 },
      log: [
        events(BASE_MS + HOUR_MS - 100, 10),
        events(BASE_MS + HOUR_MS - 1, 10),
        events(BASE_MS + HOUR_MS, 10),
      ],
      expected: [
        {
          ids: [`${BASE_MS + HOUR_MS - 100}-0`, `${BASE_MS + HOUR_MS - 1}-0`],
          lastId: `${BASE_MS + HOUR_MS - 1}-0`,
          reason: 'hour',
        },
      ],
      pending: `${BASE_MS + HOUR_MS}-0`,
    },
    {
      name: 'one entry may close a batch by time and then a batch of its own by size',
      limits: { maxBytes: 100, maxIntervalMs: 1_000 },
      log: [events(BASE_MS, 10), events(BASE_MS + 5_000, 500)],
      expected: [
        { ids: [`${BASE_MS}-0`], lastId: `${BASE_MS}-0`, reason: 'interval' },
        { ids: [`${BASE_MS + 5_000}-0`], lastId: `${BASE_MS + 5_000}-0`, reason: 'size' },
      ],
    },
  ];
  for (const { name, limits, log, expected, pending } of cases) {
    test(name, () => {
      const { batches, builder } = run(limits, log);
      assert.deepEqual(summary(batches), expected);
      assert.equal(builder.pending()?.firstId, pending);
    });
  }

  test('with no batch open, the checkpoint may move past the ticks read since', () => {
    const { builder } = run({ maxBytes: 100, maxIntervalMs: 1_000 }, [
      events(BASE_MS, 200),
      tick(BASE_MS + 10),
      tick(BASE_MS + 20),
    ]);
    assert.equal(builder.idleThrough(), `${BASE_MS + 20}-0`);
    builder.push(events(BASE_MS + 30, 1));
    assert.equal(builder.idleThrough(), undefined);
  });

  /** A log: strictly increasing ids, ticks and events of random sizes, sometimes several per ms. */
  const logArbitrary = fc
    .array(
      fc.record({
        gapMs: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 400 }),
          fc.integer({ min: 1_000, max: 5_000 }),
        ),
        tick: fc.boolean(),
        bytes: fc.integer({ min: 1, max: 700 }),
      }),
      { minLength: 1, maxLength: 200 },
    )
    .map((steps) => {
      let ms = BASE_MS + HOUR_MS - 20_000;
      let seq = 0;
      return steps.map(({ gapMs, tick: isTick, bytes }) => {
        seq = gapMs === 0 ? seq + 1 : 0;
        ms += gapMs;
        return isTick ? tick(ms, seq) : events(ms, bytes, seq);
      });
    });
  const limitsArbitrary = fc.record({
    maxBytes: fc.integer({ min: 1, max: 3_000 }),
    maxIntervalMs: fc.integer({ min: 1, max: 4_000 }),
  });

  test('property: a restart from any checkpoint cuts the same batches (files never overlap)', () => {
    fc.assert(
      fc.property(logArbitrary, limitsArbitrary, fc.nat(), (log, limits, pick) => {
        const all = run(limits, log).batches;
        if (all.length === 0) return;
        const index = pick % all.length;
        const checkpoint = (all[index] as ClosedBatch).lastId;
        const rest = log.slice(log.findIndex((e) => e.id === checkpoint) + 1);
        assert.deepEqual(summary(run(limits, rest).batches), summary(all.slice(index + 1)));
      }),
    );
  });

  test('property: closed batches never change when more of the log arrives (a live flush = a replay)', () => {
    fc.assert(
      fc.property(logArbitrary, limitsArbitrary, fc.nat(), (log, limits, cut) => {
        const all = run(limits, log).batches;
        const early = run(limits, log.slice(0, cut % (log.length + 1))).batches;
        assert.deepEqual(summary(early), summary(all.slice(0, early.length)));
      }),
    );
  });

  test('property: batches partition the events; each respects its limits', () => {
    fc.assert(
      fc.property(logArbitrary, limitsArbitrary, (log, limits) => {
        const { batches, builder } = run(limits, log);
        const batched = batches.flatMap((b) => b.entries.map((e) => e.id));
        const open = builder.pending() ? log.filter((e) => e.kind === 'events').slice(batched.length) : [];
        assert.deepEqual(
          [...batched, ...open.map((e) => e.id)],
          log.filter((e) => e.kind === 'events').map((e) => e.id),
        );
        for (const batch of batches) {
          const first = batch.entries[0] as LogEntry;
          const last = batch.entries[batch.entries.length - 1] as LogEntry;
          assert.ok(last.ms < first.ms + limits.maxIntervalMs, 'within the interval');
          assert.equal(Math.floor(last.ms / HOUR_MS), Math.floor(first.ms / HOUR_MS), 'within one UTC hour');
          const beforeLast = batch.bytes - last.bytes;
          assert.ok(beforeLast < limits.maxBytes, 'only the last entry may reach the size limit');
          if (batch.reason === 'size') assert.ok(batch.bytes >= limits.maxBytes);
        }
      }),
    );
  });
});
