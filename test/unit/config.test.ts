import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError, configSchema, parseConfig } from '../../lib/config';
import { renderConfigMarkdown, renderEnvExample } from '../../scripts/config-docs';

describe('config', () => {
  test('defaults apply when nothing is set', () => {
    const config = parseConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.SHARDS, 4);
    assert.equal(config.KEY_PREFIX, 'rf:');
    assert.equal(config.RETENTION_HOURS, 24);
    assert.equal(config.REDIS_URL, undefined);
    assert.equal(config.GEOIP, true);
  });

  test('values are coerced from strings; empty strings count as unset', () => {
    const config = parseConfig({ PORT: '8080', SHARDS: '8', GEOIP: 'false', REDIS_URL: '', UNRELATED: 'x' });
    assert.equal(config.PORT, 8080);
    assert.equal(config.SHARDS, 8);
    assert.equal(config.GEOIP, false);
    assert.equal(config.REDIS_URL, undefined);
  });

  const bad: Array<[string, Record<string, string>]> = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['SHARDS', { SHARDS: '0' }],
    ['KEY_PREFIX', { KEY_PREFIX: 'riffle' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    ['DEDUPE_HORIZON_MS', { DEDUPE_HORIZON_MS: '1000' }],
    ['GEOIP', { GEOIP: 'perhaps' }],
  ];
  for (const [variable, env] of bad) {
    test(`an invalid ${variable} fails fast with a message naming it`, () => {
      assert.throws(
        () => parseConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.includes(variable),
      );
    });
  }

  test('every setting is documented, and docs/config.md and .env.example are up to date', () => {
    for (const [name, schema] of Object.entries(configSchema.shape)) {
      assert.ok((schema.description ?? '').length > 10, `${name} has a description`);
    }
    const docs = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    assert.equal(docs, renderConfigMarkdown(), 'run: node --import tsx scripts/config-docs.ts');
    assert.equal(example, renderEnvExample(), 'run: node --import tsx scripts/config-docs.ts');
  });

  test('no module other than lib/config.ts reads process.env', async () => {
    const { execFileSync } = await import('node:child_process');
    const hits = execFileSync('git', ['grep', '-l', 'process\\.env', '--', '*.ts', '*.tsx'], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .filter((file) => file !== 'lib/config.ts' && file !== 'test/unit/config.test.ts');
    assert.deepEqual(hits, []);
  });
});
