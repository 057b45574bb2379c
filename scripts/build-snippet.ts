/**
 * Builds the tracking snippet: public/src/tracker.ts → (esbuild: bundle, strip types, lower to es2017,
 * IIFE, syntax minification) → (terser: 3 passes, top-level mangling) → public/js/script.js.
 *
 *   node --import tsx scripts/build-snippet.ts
 *
 * Prints `snippet_bytes=… snippet_gzip_bytes=… budget=1536` and exits non-zero when the gzipped size
 * (level 9) is over budget.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { minify } from 'terser';

/** Hard size budget of public/js/script.js, in gzipped (level 9) bytes. */
export const SNIPPET_BUDGET_BYTES = 1536;

const SOURCE = fileURLToPath(new URL('../public/src/tracker.ts', import.meta.url));
export const SNIPPET_OUTPUT = fileURLToPath(new URL('../public/js/script.js', import.meta.url));

export function gzipSize(code: string): number {
  return gzipSync(code, { level: 9 }).length;
}

export async function buildSnippet(): Promise<{ code: string; gzipBytes: number }> {
  const bundled = await build({
    entryPoints: [SOURCE],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2017',
    // esbuild's syntax pass first (const → let, folded ifs): terser then gets a few bytes more out of it.
    minifySyntax: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    // Not the project tsconfig: its `strict` would add a "use strict" prologue the snippet does not need.
    tsconfigRaw: {},
  });
  const source = bundled.outputFiles[0]?.text;
  if (source === undefined) throw new Error('esbuild produced no output');
  const minified = await minify(source, {
    ecma: 2017,
    toplevel: true,
    compress: {
      passes: 3,
      ecma: 2017,
      toplevel: true,
      pure_getters: true,
      // Safe here: no code relies on `this` in function expressions, on -0/NaN corner cases of
      // comparisons, or on prototype tricks; every "unsafe" rewrite is covered by the snippet tests.
      unsafe: true,
      unsafe_arrows: true,
      unsafe_comps: true,
      unsafe_math: true,
      unsafe_methods: true,
      unsafe_proto: true,
      unsafe_undefined: true,
    },
    mangle: { toplevel: true },
    format: { ecma: 2017, comments: false, wrap_func_args: false },
  });
  const code = minified.code;
  if (code === undefined) throw new Error('terser produced no output');
  return { code, gzipBytes: gzipSize(code) };
}

async function main(): Promise<void> {
  const { code, gzipBytes } = await buildSnippet();
  await mkdir(resolve(SNIPPET_OUTPUT, '..'), { recursive: true });
  await writeFile(SNIPPET_OUTPUT, code);
  console.log(
    `snippet_bytes=${Buffer.byteLength(code)} snippet_gzip_bytes=${gzipBytes} budget=${SNIPPET_BUDGET_BYTES}`,
  );
  if (gzipBytes > SNIPPET_BUDGET_BYTES) {
    console.error(`public/js/script.js is ${gzipBytes - SNIPPET_BUDGET_BYTES} bytes over the gzip budget`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
