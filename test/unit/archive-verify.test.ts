import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BatchBuilder, type ClosedBatch, type LogEntry } from '../../lib/archive/batcher';
import { deliverBatch } from '../../lib/archive/deliver';
import { buildSiteOutputs } from '../../lib/archive/records';
import { scanArchive } from '../../lib/archive/verify';

const MS = Date.UTC(2026, 10, 26, 9);
const ALL = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };

/** Three batches of one shard (interval 1 s), two sites, written by the real delivery code. */
async function writeArchive(root: string): Promise<ClosedBatch[]> {
  const builder = new BatchBuilder({ maxBytes: 1_000_000, maxIntervalMs: 1_000 });
  const batches: ClosedBatch[] = [];
  for (let i = 0; i < 30; i++) {
    const events = [{ id: `e${i}`, site: i % 3 === 0 ? 'blog' : 'shop', path: `/p${i}` }];
    const data = Buffer.from(JSON.stringify(events));
    const entry: LogEntry = {
      id: `${MS + i * 100}-0`,
      ms: MS + i * 100,
      kind: 'events',
      data,
      bytes: data.length,
    };
    batches.push(...builder.push(entry));
  }
  for (const batch of batches) {
    const outputs = await buildSiteOutputs(batch.entries, undefined);
    await deliverBatch(batch, outputs, {
      root,
      shard: 0,
      gzipLevel: 6,
      transformed: false,
      attemptTag: 'test-1',
    });
  }
  return batches;
}

function findFiles(root: string, suffix: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(suffix)).sort();
}

describe('archive verification (files and manifests)', () => {
  const dirs: string[] = [];
  const freshArchive = async () => {
    const root = mkdtempSync(join(tmpdir(), 'riffle-archive-verify-'));
    dirs.push(root);
    return { root, batches: await writeArchive(root) };
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('an archive as written passes, with every record accounted for', async () => {
    const { root, batches } = await freshArchive();
    assert.equal(batches.length, 2);
    const scan = await scanArchive(root, ALL);
    assert.deepEqual(scan.problems, []);
    assert.equal(scan.records, 20);
    assert.equal(scan.files, 4);
    assert.equal(scan.tempFiles, 0);
  });

  test('a rewrite of the same batch (a retry) changes nothing: same names, same bytes', async () => {
    const { root } = await freshArchive();
    const before = findFiles(root, '.gz').map((f) => readFileSync(join(root, f)).toString('base64'));
    await writeArchive(root);
    const afterRewrite = findFiles(root, '.gz').map((f) => readFileSync(join(root, f)).toString('base64'));
    assert.deepEqual(afterRewrite, before);
    assert.deepEqual((await scanArchive(root, ALL)).problems, []);
  });

  const tamperings: Array<[string, (root: string) => void, RegExp]> = [
    [
      'a flipped byte',
      (root) => {
        const file = join(root, findFiles(root, '.gz')[0] ?? '');
        const bytes = readFileSync(file);
        bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
        writeFileSync(file, bytes);
      },
      /corrupt: .*sha256 mismatch/,
    ],
    ['a data file gone', (root) => rmSync(join(root, findFiles(root, '.gz')[0] ?? '')), /corrupt: .*missing/],
    [
      'a copy of a batch under another name (overlap and duplicates)',
      (root) => {
        const manifest = findFiles(root, '.manifest.json')[0] ?? '';
        const dir = join(root, manifest, '..');
        const name = manifest.split('/').pop()?.replace('.manifest.json', '') ?? '';
        const [ms, seq] = name.split('-');
        const other = `${ms}-${Number(seq) + 1}`;
        cpSync(join(dir, `${name}.ndjson.gz`), join(dir, `${other}.ndjson.gz`));
        const content = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as Record<string, unknown>;
        writeFileSync(
          join(dir, `${other}.manifest.json`),
          JSON.stringify({ ...content, file: `${other}.ndjson.gz` }),
        );
      },
      /duplicate: |overlap: /,
    ],
  ];
  for (const [name, tamper, expected] of tamperings) {
    test(`detects ${name}`, async () => {
      const { root } = await freshArchive();
      tamper(root);
      const scan = await scanArchive(root, ALL);
      const lines = scan.problems.map((p) => `${p.kind}: ${p.detail}`);
      assert.ok(
        lines.some((line) => expected.test(line)),
        lines.join('\n'),
      );
    });
  }
});
