import type { IncomingMessage, ServerResponse } from 'node:http';

/** Origins that are this server itself (the demo shop, the dashboard): from the Host header and PUBLIC_URL. */
export function ownOrigins(req: IncomingMessage, publicUrl: string | undefined): string[] {
  const origins: string[] = [];
  const host = req.headers.host;
  if (host) origins.push(`http://${host}`, `https://${host}`);
  if (publicUrl) origins.push(new URL(publicUrl).origin);
  return origins;
}

export function requestOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  // Browsers send the literal "null" for opaque origins (sandboxed iframes, file:); treat it as an origin.
  return typeof origin === 'string' && origin !== '' ? origin : undefined;
}

/** Lets the calling page read the response; only ever called for an origin the site allows. */
export function allowOrigin(res: ServerResponse, origin: string | undefined): void {
  res.setHeader('Vary', 'Origin');
  if (origin !== undefined) res.setHeader('Access-Control-Allow-Origin', origin);
}

/**
 * Preflight for the collect endpoints. A preflight carries no body, so the site (and its allowlist) is not
 * known yet: it is answered for any origin, and the POST that follows is checked against the site.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Origin': requestOrigin(req) ?? '*',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  });
  res.end();
}
