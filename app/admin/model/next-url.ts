/**
 * Where the login page sends the user afterwards: only a path on this server (never `//evil.example` or
 * `https://…`: an open redirect), never back to /login itself; `/admin` by default.
 */
export function safeNext(raw: string | null | undefined, fallback = '/admin'): string {
  if (raw === null || raw === undefined) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // Control characters and backslashes let browsers read a path as another origin.
  for (const char of raw) if (char === '\\' || char.charCodeAt(0) < 0x20) return fallback;
  try {
    const url = new URL(raw, 'http://riffle.invalid');
    if (url.origin !== 'http://riffle.invalid') return fallback;
    if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}

/** The login page's URL for a return to `path` (pathname + search). */
export function loginUrl(path: string): string {
  const next = safeNext(path);
  return next === '/admin' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
