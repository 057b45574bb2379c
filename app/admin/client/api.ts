'use client';

import type { z } from 'zod';
import { loginUrl } from '../model/next-url';
import { type ApiError, apiErrorSchema } from '../model/schemas';

/**
 * The admin API from the browser. Same-origin fetch sends the session cookie and, for POST/PATCH/DELETE,
 * the Origin header the server's CSRF check wants. A 401 means the session is gone: back to the login page,
 * which returns here afterwards.
 */

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError; retryAfterS?: number };

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export function redirectToLogin(): void {
  window.location.replace(loginUrl(`${window.location.pathname}${window.location.search}`));
}

export async function api<T>(
  method: Method,
  path: string,
  schema: z.ZodType<T>,
  options: { body?: unknown; signal?: AbortSignal; allowUnauthorized?: boolean } = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ok: false, status: 0, error: { error: `the server cannot be reached (${String(error)})` } };
  }
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  const body: unknown = isJson ? await response.json().catch(() => undefined) : undefined;
  if (!response.ok) {
    if (response.status === 401 && !options.allowUnauthorized) redirectToLogin();
    const parsed = apiErrorSchema.safeParse(body);
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      ok: false,
      status: response.status,
      error: parsed.success ? parsed.data : { error: `the server answered HTTP ${response.status}` },
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterS: retryAfter } : {}),
    };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      status: response.status,
      error: {
        error: `unexpected answer from ${path.split('?')[0]} (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
      },
    };
  }
  return { ok: true, status: response.status, data: parsed.data };
}
