import { z } from 'zod';
import { SITE_ID_PATTERN } from '../events/schema';

/** An origin a site accepts events from: `https://shop.example`, `https://*.example.com`, or `*`. */
const originPattern = z
  .string()
  .max(256)
  .refine(
    (value) => value === '*' || /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value),
    'must be "*" or an origin such as https://shop.example (a leading "*." matches subdomains)',
  );

export const siteSchema = z.object({
  id: z
    .string()
    .regex(
      SITE_ID_PATTERN,
      'must be 1–64 characters of a–z, 0–9, "_" or "-", starting with a letter or digit',
    ),
  name: z.string().trim().min(1).max(120),
  /** The site's domain, for Plausible-style clients that send `domain` instead of a site id. */
  domain: z.string().max(253).optional(),
  /** Origins allowed to send events from browsers; the server's own origin is always allowed. */
  allowedOrigins: z.array(originPattern).max(50).default([]),
  /** Drop events from browsers that send DNT: 1 or Sec-GPC: 1. */
  respectDnt: z.boolean().default(false),
  createdAtMs: z.number().int().nonnegative(),
});

export type Site = z.infer<typeof siteSchema>;

function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*') return true;
  const wildcard = /^(https?:\/\/)\*\.(.+)$/.exec(pattern);
  if (!wildcard) return pattern.toLowerCase() === origin.toLowerCase();
  const [, scheme, rest] = wildcard;
  const lower = origin.toLowerCase();
  return (
    scheme !== undefined &&
    rest !== undefined &&
    lower.startsWith(scheme) &&
    lower.slice(scheme.length).endsWith(`.${rest.toLowerCase()}`)
  );
}

/**
 * May a browser page at `origin` send events for `site`? Requests without an Origin (server to server,
 * curl) are not subject to the allowlist; the server's own origin (the demo shop) is always allowed.
 */
export function isOriginAllowed(
  site: Site,
  origin: string | undefined,
  ownOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (ownOrigins.some((own) => own.toLowerCase() === origin.toLowerCase())) return true;
  return site.allowedOrigins.some((pattern) => originMatches(pattern, origin));
}
