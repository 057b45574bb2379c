import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Inputs of the production build: when any is newer than the last build, `npm start` rebuilds. */
const BUILD_INPUTS = ['app', 'lib', 'public/src', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];
const BUILD_OUTPUTS = ['.next/BUILD_ID', 'public/js/script.js'];

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

export function buildIsStale(rootDir: string): boolean {
  const outputs = BUILD_OUTPUTS.map((p) => join(rootDir, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const builtAtMs = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return BUILD_INPUTS.some((input) => newestMtimeMs(join(rootDir, input)) > builtAtMs);
}

/** Runs `npm run build` when the Next.js build or the snippet is missing or older than its sources. */
export function ensureBuild(rootDir: string, env: NodeJS.ProcessEnv, log: (message: string) => void): void {
  if (!buildIsStale(rootDir)) return;
  log('building the dashboard and the snippet (first start or sources changed)…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: rootDir, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}
