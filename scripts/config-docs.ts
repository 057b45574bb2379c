import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../lib/config';

/**
 * Renders docs/config.md and .env.example from the config schema's descriptions and defaults, so the
 * documentation cannot drift from the code (test/unit/config.test.ts fails when they differ).
 * Run `node --import tsx scripts/config-docs.ts` after changing lib/config.ts.
 */

interface Setting {
  name: string;
  defaultValue: string | undefined;
  description: string;
}

export function settings(): Setting[] {
  const defaults = configSchema.parse({});
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    const value = (defaults as Record<string, unknown>)[name];
    return {
      name,
      defaultValue: value === undefined ? undefined : String(value),
      description: schema.description ?? '',
    };
  });
}

export function renderConfigMarkdown(): string {
  const rows = settings().map(
    (s) =>
      `| \`${s.name}\` | ${s.defaultValue === undefined ? '_(unset)_' : `\`${s.defaultValue}\``} | ${s.description} |`,
  );
  return [
    '# Configuration',
    '',
    'Every setting is an environment variable, parsed once at start-up by `lib/config.ts` (zod); an invalid',
    'value stops the process with a message naming the variable. `.env.example` lists the same settings.',
    'This file is generated from the schema: run `node --import tsx scripts/config-docs.ts` after changing it.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function renderEnvExample(): string {
  const lines = ['# Riffle settings (all optional). Generated from lib/config.ts; see docs/config.md.', ''];
  for (const s of settings()) {
    lines.push(`# ${s.description.replaceAll('`', '')}`);
    lines.push(`# ${s.name}=${s.defaultValue ?? ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/config.md', import.meta.url), renderConfigMarkdown());
  writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample());
}
