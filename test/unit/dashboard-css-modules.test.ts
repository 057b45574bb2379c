import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's CSS modules have hand-kept declaration files (`x.module.css.d.ts`), so that strict
 * TypeScript (noPropertyAccessFromIndexSignature) can check class names. They must list exactly the classes.
 */
const STYLES = fileURLToPath(new URL('../../app/dashboard/styles/', import.meta.url));

function classesInCss(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/url\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const [, selector = ''] of text.matchAll(/([^{}]+)\{/g)) {
    if (selector.trim().startsWith('@')) continue;
    for (const [, name = ''] of selector.replace(/:global\([^)]*\)/g, '').matchAll(/\.([A-Za-z_][\w-]*)/g))
      names.add(name);
  }
  return [...names].sort();
}

function classesInDts(dts: string): string[] {
  return [...dts.matchAll(/readonly (\w+): string;/g)].map(([, name = '']) => name).sort();
}

test('every CSS module has a declaration listing exactly its classes', () => {
  const modules = readdirSync(STYLES).filter((f) => f.endsWith('.module.css'));
  assert.ok(modules.length > 0);
  for (const file of modules) {
    const css = readFileSync(join(STYLES, file), 'utf8');
    const dts = readFileSync(join(STYLES, `${file}.d.ts`), 'utf8');
    assert.deepEqual(classesInDts(dts), classesInCss(css), file);
  }
});
