import type { ServerResponse } from 'node:http';

/**
 * Responses of the JSON APIs: one helper per status, every error a JSON body naming the problem
 * (`{"error": "...", "field": "..."}`), so clients never have to parse HTML or guess.
 */

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

interface ErrorBody {
  error: string;
  field?: string;
  [extra: string]: unknown;
}

const errorWith =
  (status: number) =>
  (res: ServerResponse, body: ErrorBody, headers?: Record<string, string>): void =>
    sendJson(res, status, body, headers);

export const badRequest = errorWith(400);
export const unauthorized = errorWith(401);
export const forbidden = errorWith(403);
export const notFound = errorWith(404);
export const methodNotAllowed = errorWith(405);
export const payloadTooLarge = errorWith(413);
export const unsupportedMediaType = errorWith(415);
export const serviceUnavailable = errorWith(503);

export function tooManyRequests(res: ServerResponse, body: ErrorBody, retryAfterMs: number): void {
  sendJson(res, 429, body, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}
