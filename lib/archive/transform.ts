import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArchiveTransform } from './records';

/**
 * Loads ARCHIVE_TRANSFORM: a module (path relative to the working directory) whose default export is the
 * transformation. Checked once at start, so a typo fails the process instead of every batch.
 */
export async function loadTransform(modulePath: string): Promise<ArchiveTransform> {
  const loaded = (await import(pathToFileURL(resolve(modulePath)).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(`ARCHIVE_TRANSFORM ${modulePath}: the module has no default export function`);
  }
  return loaded.default as ArchiveTransform;
}
