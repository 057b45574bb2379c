import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, mediaType, readBody } from './body';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './respond';

const MAX_ADMIN_BODY_BYTES = 256 * 1024;

/** Parses a JSON request body with a schema; answers 400/413/415 itself (naming the field) and returns undefined. */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
): Promise<z.infer<S> | undefined> {
  if (mediaType(req) !== 'application/json') {
    unsupportedMediaType(res, { error: 'send application/json', field: 'content-type' });
    return undefined;
  }
  let text: string;
  try {
    text = await readBody(req, MAX_ADMIN_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    payloadTooLarge(res, { error: `body must be at most ${MAX_ADMIN_BODY_BYTES} bytes`, field: 'body' });
    return undefined;
  }
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    badRequest(res, { error: 'body is not valid JSON', field: 'body' });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    badRequest(res, { error: issue?.message ?? 'invalid body', field: issue?.path.join('.') || 'body' });
    return undefined;
  }
  return parsed.data;
}
