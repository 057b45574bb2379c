import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { LogEntry } from '../../lib/archive/batcher';
import { splitEventArray } from '../../lib/archive/event-array';
import { parsePartitionPath, partitionDir } from '../../lib/archive/layout';
import { NdjsonBuffer } from '../../lib/archive/ndjson-buffer';
import { type ArchiveTransform, addressed, addressSuffix, buildSiteOutputs } from '../../lib/archive/records';

function entry(id: string, events: Array<Record<string, unknown>>): LogEntry {
  const data = Buffer.from(JSON.stringify(events));
  return { id, ms: Number(id.split('-')[0]), kind: 'events', data, bytes: data.length };
}

/** The NDJSON lines of a line set, as text. */
function lines(set: NdjsonBuffer | undefined): string[] {
  return set ? Buffer.concat(set.chunks()).toString('utf8').split('\n').slice(0, -1) : [];
}

const MS = Date.UTC(2026, 0, 2, 3, 4, 5);
const log = [
  entry(`${MS}-0`, [
    { id: 'a', site: 'shop', path: '/' },
    { id: 'b', site: 'shop', path: '/boom' },
  ]),
  entry(`${MS + 1}-0`, [{ id: 'c', site: 'blog', path: '/drop' }]),
  entry(`${MS + 2}-0`, [{ id: 'd', site: 'blog', path: '/x', props: { n: 1 } }]),
];

describe('archive records and layout', () => {
  test('a record is the stored event plus its address, as one NDJSON line', () => {
    const line = addressed('{"id":"a","site":"s"}', '5-1', 3);
    assert.equal(line, '{"id":"a","site":"s","_id":"5-1","_sub":3}\n');
    assert.deepEqual(JSON.parse(addressed('{}', '5-1', 0)), { _id: '5-1', _sub: 0 });
  });

  test('one output per site, named and partitioned by that site’s first event', async () => {
    const outputs = await buildSiteOutputs(log, undefined);
    assert.deepEqual(
      outputs.map((o) => [o.site, o.nameId, o.records.count, o.records.firstId, o.records.lastId]),
      [
        ['blog', `${MS + 1}-0`, 2, `${MS + 1}-0`, `${MS + 2}-0`],
        ['shop', `${MS}-0`, 2, `${MS}-0`, `${MS}-0`],
      ],
    );
    const shop = outputs[1];
    assert.deepEqual(JSON.parse(lines(shop?.records)[1] ?? ''), {
      id: 'b',
      site: 'shop',
      path: '/boom',
      _id: `${MS}-0`,
      _sub: 1,
    });
    assert.equal(shop?.records.bytes, Buffer.concat(shop?.records.chunks() ?? []).length);
  });

  test('a transformation may change or drop a record; one that throws sends it to errors with the reason', async () => {
    const transform: ArchiveTransform = async (record) => {
      if (record['path'] === '/boom') throw new Error('no booms here');
      if (record['path'] === '/drop') return null;
      // Mutating the input must not leak into the error record or the address.
      const props = record['props'] as Record<string, number> | undefined;
      if (props) props['n'] = 99;
      return { ...record, path: String(record['path']).toUpperCase(), _id: 'forged', _sub: 42 };
    };
    const outputs = await buildSiteOutputs(log, transform);
    const [blog, shop] = outputs;
    assert.deepEqual(blog?.dropped, [`${MS + 1}-0/0`]);
    assert.deepEqual(JSON.parse(lines(blog?.records)[0] ?? ''), {
      id: 'd',
      site: 'blog',
      path: '/X',
      props: { n: 99 },
      _id: `${MS + 2}-0`,
      _sub: 0,
    });
    assert.equal(shop?.records.count, 1);
    assert.equal(shop?.errors.count, 1);
    const failed = JSON.parse(lines(shop?.errors)[0] ?? '') as Record<string, unknown>;
    assert.equal(failed['reason'], 'Error: no booms here');
    assert.deepEqual(failed['record'], { id: 'b', site: 'shop', path: '/boom', _id: `${MS}-0`, _sub: 1 });
    assert.equal(failed['_id'], `${MS}-0`);
    const original = JSON.parse(log[2]?.data.toString() ?? '[]') as Array<{ props: { n: number } }>;
    assert.equal(original[0]?.props.n, 1);
  });

  test('a transformation that returns something other than an object fails that record only', async () => {
    const outputs = await buildSiteOutputs(log, ((record: Record<string, unknown>) =>
      record['id'] === 'a' ? 'oops' : record) as unknown as ArchiveTransform);
    const shop = outputs.find((o) => o.site === 'shop');
    assert.equal(shop?.errors.count, 1);
    assert.match(lines(shop?.errors)[0] ?? '', /returned string, not an object/);
    assert.equal(shop?.records.count, 1);
  });

  test('property: the stored array splits into its elements byte for byte, with each top-level site', () => {
    const element = fc.oneof(
      { weight: 5, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()) },
      {
        weight: 5,
        arbitrary: fc.record({ site: fc.string(), props: fc.dictionary(fc.string(), fc.jsonValue()) }),
      },
      { weight: 1, arbitrary: fc.jsonValue() },
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), (elements) => {
        const data = Buffer.from(JSON.stringify(elements));
        const spans = splitEventArray(data);
        assert.equal(spans.length, elements.length);
        for (const [i, span] of spans.entries()) {
          const value = elements[i];
          const text = data.toString('utf8', span.start, span.end);
          assert.equal(text, JSON.stringify(value));
          const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
          assert.equal(span.isObject, isObject);
          const site = isObject ? (value as Record<string, unknown>)['site'] : undefined;
          assert.equal(span.site, typeof site === 'string' ? site : undefined);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a large NDJSON text spans several growing chunks and concatenates back exactly', () => {
    const text = new NdjsonBuffer();
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const json = Buffer.from(JSON.stringify({ i, title: 'é'.repeat(i % 300), s: 'x'.repeat(i % 97) }));
      text.copy(json, 0, json.length - 1);
      text.ascii(addressSuffix(`${i}-0`, 0));
      text.endRecord(`${i}-0`);
      expected.push(`${json.toString().slice(0, -1)},"_id":"${i}-0","_sub":0}\n`);
    }
    text.append('{"last":"ü"}\n');
    expected.push('{"last":"ü"}\n');
    const chunks = text.chunks();
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    assert.equal(Buffer.concat(chunks).toString('utf8'), expected.join(''));
    assert.equal(text.bytes, Buffer.byteLength(expected.join('')));
    assert.deepEqual([text.count, text.firstId, text.lastId], [20_000, '0-0', '19999-0']);
  });

  test('partitions are UTC, Hive-style, and parse back', () => {
    const dir = partitionDir('/a', 'events', 'shop', Date.UTC(2026, 11, 31, 23, 59, 59, 999), 3);
    assert.equal(dir, '/a/events/site=shop/dt=2026-12-31/hour=23/shard=3');
    const errors = partitionDir('/a', 'errors', 'shop', MS, 0);
    assert.equal(errors, '/a/errors/processing-failed/site=shop/dt=2026-01-02/hour=03/shard=0');
    assert.deepEqual(parsePartitionPath(`${dir.slice(3)}/${MS}-7.ndjson.gz`), {
      kind: 'events',
      site: 'shop',
      dt: '2026-12-31',
      hour: '23',
      shard: 3,
      firstId: `${MS}-7`,
    });
    assert.equal(parsePartitionPath('events/site=shop/x.ndjson.gz'), undefined);
  });
});
