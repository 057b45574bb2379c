import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCollectBody } from '../../lib/events/collect-request';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const good = { id: 'abcdefgh1234', type: 'pageview', url: 'https://shop.example/p' };
const body = (events: unknown[], site: unknown = 'demo') => JSON.stringify({ site, events });

/** Whole-request failures: the request is refused with this kind and field. */
const requestCases: Array<[name: string, text: string, kind: string, field: string]> = [
  ['not JSON', '{"site":', 'malformed', 'body'],
  ['a JSON array', '[]', 'malformed', 'body'],
  ['a JSON string', '"hello"', 'malformed', 'body'],
  ['null', 'null', 'malformed', 'body'],
  ['missing site', JSON.stringify({ events: [good] }), 'invalid', 'site'],
  ['empty site', body([good], ''), 'invalid', 'site'],
  ['site with capitals and spaces', body([good], 'My Site'), 'invalid', 'site'],
  ['numeric site', body([good], 42), 'invalid', 'site'],
  ['missing events', JSON.stringify({ site: 'demo' }), 'invalid', 'events'],
  ['events is an object', JSON.stringify({ site: 'demo', events: { 0: good } }), 'invalid', 'events'],
  ['no events', body([]), 'invalid', 'events'],
  ['101 events', body(Array.from({ length: 101 }, () => good)), 'too_many_events', 'events'],
];

/** Per-event failures: that event alone is rejected, naming the field. */
const eventCases: Array<[name: string, event: unknown, field: string]> = [
  ['not an object', 'pageview', 'event'],
  ['an array', [good], 'event'],
  ['missing id', { ...good, id: undefined }, 'id'],
  ['id too short', { ...good, id: 'abc' }, 'id'],
  ['id with spaces', { ...good, id: 'abc def ghij' }, 'id'],
  ['id too long', { ...good, id: 'a'.repeat(65) }, 'id'],
  ['missing type', { ...good, type: undefined }, 'type'],
  ['blank type', { ...good, type: '   ' }, 'type'],
  ['type too long', { ...good, type: 'x'.repeat(121) }, 'type'],
  ['numeric type', { ...good, type: 7 }, 'type'],
  ['missing url', { ...good, url: undefined }, 'url'],
  ['relative url', { ...good, url: '/pricing' }, 'url'],
  ['javascript: url', { ...good, url: 'javascript:alert(1)' }, 'url'],
  ['url over 2 KB', { ...good, url: `https://shop.example/${'a'.repeat(2048)}` }, 'url'],
  ['ts as a string', { ...good, ts: '1700000000000' }, 'ts'],
  ['ts fractional', { ...good, ts: NOW + 0.5 }, 'ts'],
  ['ts 31 days old', { ...good, ts: NOW - 31 * 86_400_000 }, 'ts'],
  ['ts 2 days ahead', { ...good, ts: NOW + 2 * 86_400_000 }, 'ts'],
  ['referrer not a URL', { ...good, referrer: 'google' }, 'referrer'],
  ['title over 512 chars', { ...good, title: 't'.repeat(513) }, 'title'],
  ['props is an array', { ...good, props: ['a'] }, 'props'],
  [
    '31 props',
    { ...good, props: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) },
    'props',
  ],
  ['prop value an object', { ...good, props: { plan: { name: 'pro' } } }, 'props.plan'],
  ['prop value too long', { ...good, props: { plan: 'p'.repeat(513) } }, 'props.plan'],
  [
    'prop key too long',
    { ...good, props: { ['k'.repeat(65)]: 1 } },
    'props.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk',
  ],
  ['target not an object', { ...good, target: 'button' }, 'target'],
  ['target href over 2 KB', { ...good, target: { href: 'h'.repeat(2049) } }, 'target.href'],
  ['engagedMs negative', { ...good, engagedMs: -1 }, 'engagedMs'],
  ['screenWidth not a number', { ...good, screenWidth: 'wide' }, 'screenWidth'],
];

describe('collect body validation', () => {
  for (const [name, text, kind, field] of requestCases) {
    test(`request refused: ${name} → ${kind} (${field})`, () => {
      const result = parseCollectBody(text, NOW);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.problem.kind, kind);
        assert.equal(result.problem.field, field);
      }
    });
  }

  for (const [name, event, field] of eventCases) {
    test(`event rejected: ${name} → ${field}, its neighbours kept`, () => {
      const before = { ...good, id: 'before-0001' };
      const afterEvent = { ...good, id: 'after-00001' };
      const result = parseCollectBody(body([before, event, afterEvent]), NOW);
      assert.ok(result.ok);
      assert.deepEqual(
        result.value.events.map((e) => [e.index, e.event.id]),
        [
          [0, 'before-0001'],
          [2, 'after-00001'],
        ],
      );
      assert.equal(result.value.rejected.length, 1);
      assert.equal(result.value.rejected[0]?.index, 1);
      assert.equal(result.value.rejected[0]?.field, field);
      assert.ok((result.value.rejected[0]?.error.length ?? 0) > 0);
    });
  }

  test('short keys (the snippet’s) and long keys give the same event', () => {
    const short = {
      i: 'abcdefgh1234',
      n: 'click',
      u: 'https://a.example/x',
      d: NOW,
      r: '',
      t: 'T',
      p: { a: 1 },
      g: { s: '#b', a: 'button', x: ' Go ', o: false },
      m: 10,
      w: 800,
    };
    const long = {
      id: 'abcdefgh1234',
      type: 'click',
      url: 'https://a.example/x',
      ts: NOW,
      referrer: '',
      title: 'T',
      props: { a: 1 },
      target: { selector: '#b', tag: 'button', text: ' Go ', outbound: false },
      engagedMs: 10,
      screenWidth: 800,
    };
    const a = parseCollectBody(JSON.stringify({ s: 'demo', e: [short] }), NOW);
    const b = parseCollectBody(body([long]), NOW);
    assert.ok(a.ok && b.ok);
    assert.deepEqual(a.value, b.value);
    assert.equal(a.value.events[0]?.event.target?.text, 'Go');
  });

  test('unknown fields are dropped, not stored', () => {
    const result = parseCollectBody(body([{ ...good, password: 'hunter2', __proto__x: 1 }]), NOW);
    assert.ok(result.ok);
    assert.deepEqual(Object.keys(result.value.events[0]?.event ?? {}).sort(), ['id', 'type', 'url']);
  });

  test('an id repeated inside one request is rejected the second time', () => {
    const result = parseCollectBody(body([good, good]), NOW);
    assert.ok(result.ok);
    assert.equal(result.value.events.length, 1);
    assert.deepEqual(result.value.rejected, [
      { index: 1, field: 'id', error: 'repeats an earlier event of this request' },
    ]);
  });
});
