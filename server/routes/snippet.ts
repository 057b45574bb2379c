import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { ServerContext } from '../context';
import { notFound } from '../http/respond';

interface SnippetAsset {
  plain: Buffer;
  gzip: Buffer;
  etag: string;
}

let asset: Promise<SnippetAsset | undefined> | undefined;

/** The built snippet, read and compressed once per process (it changes only with a new build). */
function loadSnippet(): Promise<SnippetAsset | undefined> {
  asset ??= readFile(new URL('../../public/js/script.js', import.meta.url)).then(
    (plain) => ({
      plain,
      gzip: gzipSync(plain, { level: 9 }),
      etag: `"${createHash('sha256').update(plain).digest('base64url').slice(0, 16)}"`,
    }),
    () => undefined,
  );
  return asset;
}

/** `GET /js/script.js`: the tracking snippet, cacheable by browsers and loadable from any site. */
export async function handleSnippet(
  _ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const snippet = await loadSnippet();
  if (!snippet) {
    asset = undefined;
    notFound(res, { error: 'the snippet is not built; run `npm run build`', field: 'path' });
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
    ETag: snippet.etag,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  if (req.headers['if-none-match'] === snippet.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? snippet.gzip : snippet.plain;
  res.writeHead(200, {
    ...headers,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    'Content-Length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
