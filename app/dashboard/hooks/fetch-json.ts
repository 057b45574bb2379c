import type { z } from 'zod';
import { accessHeaders, loginRedirect, shareToken } from '../model/access';
import { apiErrorSchema } from '../model/schemas';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** The API's `field`, when it answered with a JSON error. */
    readonly field: string | undefined,
    /** Whether the answer was JSON (an API speaking), not an HTML page. */
    readonly json: boolean,
  ) {
    super(message);
  }
}

/** GETs a JSON API and validates the answer; errors name the status and the API's message. */
export async function fetchJson<T>(url: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    cache: 'no-store',
    headers: { accept: 'application/json', ...accessHeaders() },
    signal,
  });
  // No session and no share link: log in first (then come back here).
  if (response.status === 401 && shareToken() === undefined) window.location.assign(loginRedirect());
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  const body: unknown = isJson ? await response.json() : undefined;
  if (!response.ok) {
    const error = apiErrorSchema.safeParse(body);
    throw new HttpError(
      response.status,
      error.success ? error.data.error : `the server answered HTTP ${response.status}`,
      error.success ? error.data.field : undefined,
      isJson,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `unexpected answer from ${url.split('?')[0]} (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
    );
  }
  return parsed.data;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
