import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LeaseView, planLeases } from '../../lib/leases/balance';

/** Leases from a compact picture: one letter per shard = its owner, '.' = free. */
function leases(picture: string): LeaseView[] {
  return [...picture].map((owner, shard) =>
    owner === '.' ? { shard, owner: null, value: null } : { shard, owner, value: `${owner}:${shard + 1}` },
  );
}

describe('lease balancing (KCL rules)', () => {
  const cases: Array<
    [name: string, me: string, live: string[], picture: string, take: number[], steal: string | null]
  > = [
    ['first worker takes every free lease', 'a', ['a'], '........', [0, 1, 2, 3, 4, 5, 6, 7], null],
    ['takes only up to its fair share (non-greedy)', 'a', ['a', 'b'], '........', [0, 1, 2, 3], null],
    ['free leases before stealing (no steal while any is free)', 'c', ['a', 'b', 'c'], 'aaaabbb.', [7], null],
    ['steals one from the most loaded worker', 'c', ['a', 'b', 'c'], 'aaaabbbb', [], 'a:0'],
    ['never steals when off by one', 'c', ['a', 'b', 'c'], 'aaabbbcc', [], null],
    ['holds its fair share: nothing to do', 'a', ['a', 'b'], 'aaaabbbb', [], null],
    ['a dead worker’s unexpired leases are not stolen while off by one', 'b', ['b'], 'aaaabbbb', [], null],
    ['a new worker steals one at a time from the fullest', 'c', ['a', 'b', 'c'], 'aaaaaabb', [], 'a:0'],
    ['ties go to the first worker id, deterministically', 'c', ['a', 'b', 'c'], 'aaaabbbb', [], 'a:0'],
    ['after a death, survivors take the expired (now free) leases', 'a', ['a', 'b'], 'aaa...bb', [3], null],
  ];
  for (const [name, me, live, picture, take, steal] of cases) {
    test(name, () => {
      const plan = planLeases(me, live, leases(picture));
      assert.deepEqual(plan.take, take);
      assert.equal(plan.steal === null ? null : `${plan.steal.from}:${plan.steal.shard}`, steal);
    });
  }

  test('repeated rounds converge: 3 workers over 8 shards end with 3/3/2 and then stop moving', () => {
    const owners = [...'aaaaaaaa'];
    const live = ['a', 'b', 'c'];
    for (let round = 0; round < 20; round++) {
      for (const me of live) {
        const plan = planLeases(me, live, leases(owners.join('')));
        for (const shard of plan.take) owners[shard] = me;
        if (plan.steal) owners[plan.steal.shard] = me;
      }
    }
    const counts = live.map((w) => owners.filter((o) => o === w).length).sort();
    assert.deepEqual(counts, [2, 3, 3]);
    const before = owners.join('');
    for (const me of live) {
      const plan = planLeases(me, live, leases(before));
      assert.deepEqual(plan, { take: [], steal: null });
    }
  });
});
