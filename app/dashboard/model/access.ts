/**
 * How the dashboard proves it may read a site: the admin session cookie (sent by the browser on its own), or
 * a share link's token. The token arrives once in the URL (`?share=…`) and is kept for the browser tab, so
 * filter and period changes that rewrite the URL keep access.
 */

const STORAGE_KEY = 'riffle_share';

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.sessionStorage;
  } catch {
    return undefined; // storage blocked: the token still works from the URL
  }
}

/** The share token of this tab, if it was opened with one. */
export function shareToken(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  const fromUrl = new URLSearchParams(window.location.search).get('share');
  if (fromUrl) {
    storage()?.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return storage()?.getItem(STORAGE_KEY) ?? undefined;
}

/** Headers that carry the share token to the APIs. */
export function accessHeaders(): Record<string, string> {
  const token = shareToken();
  return token === undefined ? {} : { 'x-riffle-share': token };
}

/** Where to send a visitor without access: the login page, coming back here afterwards. */
export function loginRedirect(): string {
  const here = `${window.location.pathname}${window.location.search}`;
  return `/login?next=${encodeURIComponent(here)}`;
}
