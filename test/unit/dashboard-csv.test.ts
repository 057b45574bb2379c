import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, csvFileName, toCsv } from '../../app/dashboard/model/csv';
import { valueCell, windowCsv } from '../../app/dashboard/model/export';

test('RFC 4180: fields with commas, quotes, CR or LF are quoted; quotes are doubled', () => {
  const cases: Array<[Parameters<typeof csvField>[0], string]> = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-1.5, '-1.5'],
    [Number.NaN, ''],
    [true, 'true'],
    ['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
  ];
  for (const [input, expected] of cases) assert.equal(csvField(input), expected, String(input));
});

test('text a spreadsheet would run as a formula gets a leading apostrophe (numbers do not)', () => {
  assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('@cmd'), "'@cmd");
  assert.equal(csvField(-3), '-3');
});

test('lines end with CRLF, the header first', () => {
  assert.equal(
    toCsv(
      ['page', 'views'],
      [
        ['/a,b', 3],
        ['/c', 1],
      ],
    ),
    'page,views\r\n"/a,b",3\r\n/c,1\r\n',
  );
  assert.equal(toCsv(['only'], []), 'only\r\n');
});

test('file names are safe and dated', () => {
  assert.equal(
    csvFileName('demo', 'Top pages', Date.UTC(2025, 10, 26, 8, 5, 9)),
    'riffle-demo-top-pages-20251126-080509.csv',
  );
  assert.equal(csvFileName('x', '../../etc', 0), 'riffle-x-etc-19700101-000000.csv');
});

test('window rows export with key columns and top lists flattened', () => {
  assert.equal(valueCell({ top: [{ value: '/a', count: 3 }], other: 2 }), '/a=3; (other)=2');
  const csv = windowCsv(
    {
      id: 'w',
      name: 'W',
      type: 'tumbling',
      sizeMs: 60_000,
      groupBy: ['path'],
      aggregates: [
        { name: 'views', fn: 'count' },
        { name: 'p90', fn: 'p90', field: 'engagedMs' },
      ],
    },
    [{ start: 0, end: 60_000, key: { path: '/x' }, values: { views: 2, p90: null }, final: true, late: 1 }],
  );
  assert.deepEqual(csv.header, ['start', 'end', 'final', 'late', 'path', 'views', 'p90']);
  assert.deepEqual(csv.rows, [
    ['1970-01-01T00:00:00.000Z', '1970-01-01T00:01:00.000Z', true, 1, '/x', 2, null],
  ]);
});
