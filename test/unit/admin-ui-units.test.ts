import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationToMs, formatMs, msToDuration } from '../../app/admin/model/units';

describe('admin form durations', () => {
  test('value + unit → exact ms, decimals included (no float drift)', () => {
    const cases: Array<[string, Parameters<typeof durationToMs>[0]['unit'], number]> = [
      ['250', 'ms', 250],
      ['10', 's', 10_000],
      ['1.5', 's', 1_500],
      ['1.1', 's', 1_100],
      ['0.1', 'min', 6_000],
      ['2', 'h', 7_200_000],
      ['1', 'd', 86_400_000],
      [' 5 ', 'min', 300_000],
      ['0', 's', 0],
    ];
    for (const [value, unit, ms] of cases) {
      assert.deepEqual(durationToMs({ value, unit }), { ok: true, ms }, `${value} ${unit}`);
    }
  });

  test('empty is "not set"; text, negatives and fractions of a ms are problems', () => {
    assert.deepEqual(durationToMs({ value: '', unit: 's' }), { ok: true, ms: undefined });
    assert.deepEqual(durationToMs({ value: '  ', unit: 'h' }), { ok: true, ms: undefined });
    for (const value of ['abc', '-1', '1e3', '1,5', '1.']) {
      const parsed = durationToMs({ value, unit: 's' });
      assert.equal(parsed.ok, false, value);
    }
    const fraction = durationToMs({ value: '1.5', unit: 'ms' });
    assert.equal(fraction.ok, false);
    if (!fraction.ok) assert.match(fraction.message, /not a whole number of milliseconds/);
  });

  test('ms → the largest unit that holds it whole, and back', () => {
    assert.deepEqual(msToDuration(90_000), { value: '90', unit: 's' });
    assert.deepEqual(msToDuration(3_600_000), { value: '1', unit: 'h' });
    assert.deepEqual(msToDuration(172_800_000), { value: '2', unit: 'd' });
    assert.deepEqual(msToDuration(1_500), { value: '1500', unit: 'ms' });
    assert.deepEqual(msToDuration(undefined, 'min'), { value: '', unit: 'min' });
    assert.deepEqual(msToDuration(0), { value: '0', unit: 's' });
    for (const ms of [1, 999, 1_000, 61_000, 60_000, 5 * 60_000, 86_400_000, 31 * 86_400_000, 123_456_789]) {
      assert.deepEqual(durationToMs(msToDuration(ms)), { ok: true, ms }, String(ms));
    }
  });

  test('formatMs: whole units, else up to 3 decimals of the largest unit', () => {
    assert.equal(formatMs(10_000), '10 s');
    assert.equal(formatMs(60_000), '1 min');
    assert.equal(formatMs(5_400_000), '90 min');
    assert.equal(formatMs(86_400_000), '1 d');
    assert.equal(formatMs(1_500), '1.5 s');
    assert.equal(formatMs(250), '250 ms');
    assert.equal(formatMs(0), '0 s');
  });
});
