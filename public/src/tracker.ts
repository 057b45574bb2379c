/**
 * Riffle tracking snippet. Runs in visitors' browsers: no imports, no cookies, no stored identifiers.
 * Built by scripts/build-snippet.ts into public/js/script.js; HARD budget 1536 bytes gzipped, so the code
 * favours size: one closure, short-lived locals, no classes. Wire format: the SHORT keys of
 * lib/events/schema.ts. Behaviour and delivery semantics: docs/snippet.md.
 */

type Props = Record<string, string | number | boolean>;
interface Options {
  props?: Props;
  callback?: () => void;
}
type Api = ((name: string, options?: Options) => void) & { q?: IArguments[] };
interface Target {
  s: string;
  a: string;
  x: string;
  h?: string;
  o?: boolean;
}
interface Ev {
  i: string;
  n: string;
  u: string;
  d: number;
  t: string;
  r?: string;
  p?: Props;
  g?: Target;
  m?: number;
  w?: number;
}

const win = window as Window & { riffle?: Api; __riffle_test?: boolean };
const doc = document;
const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
const loc = location;
const now = Date.now;
const script = doc.currentScript as HTMLScriptElement;
const attr = (name: string) => script.getAttribute(`data-${name}`);
const site = attr('site');
const endpoint = attr('api') || new URL('/api/collect', script.src);
/**
 * Every listener sits on window in the capture phase: the capture phase of an event dispatched at the
 * document or an element (click, visibilitychange) starts at window, before any page handler can stop it.
 */
const on = (type: string, fn: (e: Event) => void) => addEventListener(type, fn, true);

/**
 * data-exclude: comma-separated path globs (`*` = any characters but '/', `**` = anything) as one anchored
 * alternation. Whitespace is dropped (a pathname has none: it is percent-encoded), the rest escaped.
 */
const exclusions = RegExp(
  `^(${(attr('exclude') || '')
    .replace(/\s/g, '')
    .replace(/[^\w*,]/g, '\\$&')
    .replace(/\*\*?|,/g, (m) => (m === ',' ? '|' : m[1] ? '.*' : '[^/]*'))})$`,
);

/** Pending events, oldest first; bounded at 200 (the oldest are dropped and counted in `dropped`). */
const queue: Ev[] = [];
/** The batch being sent or waiting for a retry. Retries resend the same events: same ids. */
let batch: Ev[] = [];
/** Events dropped from a full queue and not yet reported (the envelope's `x`). */
let dropped = 0;
/** Time of `batch`'s first send attempt, and its attempt counter for the back-off. */
let firstTry = 0;
let attempt = 0;
/** 0 idle, 1 fetch in flight, 2 waiting (back-off, or the tick after an answer). */
let busy = 0;
/** URL of the last pageview (the next SPA pageview's referrer). */
let last: string | undefined;
/** Start of the current visible stretch; 0 while hidden or before the first pageview. */
let visibleSince = 0;

/** Tracking is off: the visitor opted out, automation, DNT/GPC when respected, a local page, no site. */
let off: unknown;
try {
  // localStorage comes last: if reading it throws (blocked storage), the other answers stand.
  off =
    !site ||
    (nav.webdriver && !win.__riffle_test) ||
    (attr('respect-dnt') != null && (nav.doNotTrack === '1' || nav.globalPrivacyControl)) ||
    (attr('allow-localhost') == null && /^(localhost$|127\.|\[::1\]$|$)/.test(loc.hostname)) ||
    (localStorage as { riffle_ignore?: string }).riffle_ignore === 'true';
} catch {}

/** Event id: 33 random digits (96 bits; each Uint32 offset to a fixed 11 digits). The server dedupes by it. */
const id = () => [...crypto.getRandomValues(new Uint32Array(3))].map((v) => v + 1e10).join('');

const body = (e: Ev[], x?: number) => JSON.stringify({ s: site, e, x });

/**
 * How many events from the head of the queue make a batch: ≤ 10, and a body ≤ 20k characters (so ≤ 60 KB
 * of UTF-8, under the 64 KB keepalive/sendBeacon limit) unless a single event is bigger on its own.
 */
const fit = () => {
  let count = 10;
  while (count > 1 && body(queue.slice(0, count)).length > 2e4) count--;
  return count;
};

/** Sends the next batch unless one is in flight or backing off. Extra calls are harmless. */
const flush = () => {
  if (busy) return;
  if (!batch[0]) {
    batch = queue.splice(0, fit());
    firstTry = now();
    attempt = 0;
  }
  if (!batch[0]) return;
  busy = 1;
  const drops = dropped;
  fetch(endpoint, {
    method: 'POST',
    body: body(batch, drops),
    keepalive: true,
    // A string body is sent as text/plain;charset=UTF-8 (CORS-safelisted: no preflight), like sendBeacon's.
  })
    .then(
      // Network errors, 5xx and 429 are retried; any other answer is definitive.
      (res) => {
        if (res.ok) dropped -= drops;
        return res.status < 500 && res.status !== 429;
      },
      () => 0,
    )
    .then((done) => {
      // The server dedupes ids for 10 minutes (DEDUPE_HORIZON_MS); retries stop 8 minutes after the first
      // attempt so a late copy can never be counted twice. Back-off: base 1 s, cap 30 s, full jitter.
      if (done || now() - firstTry > 48e4) batch = [];
      busy = 2;
      setTimeout(
        () => {
          busy = 0;
          flush();
        },
        batch[0] ? Math.random() * Math.min(3e4, 1e3 * 2 ** attempt++) : 0,
      );
    });
};

/**
 * Page hidden or going away: hand what is not already in flight (a keepalive fetch survives the page) to
 * sendBeacon. What it refuses stays queued. Beacons carry no drop count: they get no answer.
 */
const beacon = () => {
  if (busy > 1 && batch[0] && nav.sendBeacon(endpoint, body(batch))) batch = [];
  while (queue[0] && nav.sendBeacon(endpoint, body(queue.slice(0, fit())))) queue.splice(0, fit());
};

const track = (n: string, extra?: Partial<Ev>) => {
  const ev = Object.assign({ i: id(), n, u: loc.href, d: now(), t: doc.title.slice(0, 512) }, extra);
  // Nothing is sent about an excluded page, engagement of the page left behind included.
  if (exclusions.test(new URL(ev.u).pathname)) return;
  if (queue.push(ev) > 200) {
    queue.shift();
    dropped++;
  }
  // Batching: a flush 1 s after each event, or on the next tick once 10 are waiting.
  setTimeout(flush, queue[9] ? 0 : 1e3);
};

/** Reports the engaged (visible) time since the last report, then restarts the clock if `visible`. */
const engage = (visible: unknown, u = loc.href) => {
  const t = now();
  const m = visibleSince && t - visibleSince;
  visibleSince = visible ? t : 0;
  if (m > 0) track('engagement', { m, u });
};

const pageview = (p?: Props) => {
  engage(!doc.hidden, last);
  // The server only takes http(s) referrers; an app's (android-app://…) would get the pageview rejected.
  track('pageview', { p, r: last || (/^http/.test(doc.referrer) ? doc.referrer : ''), w: innerWidth });
  last = loc.href;
};

/** SPA navigation: a pageview when the URL (without the hash, unless `hash`) differs from the last one. */
const navigate = (hash?: unknown) => {
  if (hash ? loc.href !== last : loc.href.split('#')[0] !== (last as string).split('#')[0]) pageview();
};

const riffle: Api = (name, options = {}) => {
  if (!off) name === 'pageview' ? pageview(options.props) : track(name, { p: options.props });
  if (options.callback) {
    flush();
    options.callback();
  }
};

const pending: IArguments[] | undefined = Object(win.riffle).q;
win.riffle = riffle;

if (!off) {
  on('click', (e) => {
    const el = (e.target as Element).closest('a,button,[data-riffle-event]');
    if (!el) return;
    const a = el.localName;
    const withId = el.closest('[id]');
    const href = (el as HTMLAnchorElement).href;
    const g: Target = {
      s:
        withId === el
          ? `#${el.id}`
          : (withId ? `#${withId.id} ` : '') + [a, ...el.classList].slice(0, 3).join('.'),
      a,
      x: (el.textContent as string).replace(/\s+/g, ' ').trim().slice(0, 64),
    };
    if (typeof href === 'string') {
      g.h = href;
      g.o = /^http/.test(href) && (el as HTMLAnchorElement).host !== loc.host;
    }
    let p: Props | undefined;
    for (const { name, value } of el.attributes) {
      if (name.startsWith('data-riffle-prop-')) {
        p ||= {};
        p[name.slice(17)] = value;
      }
    }
    track(el.getAttribute('data-riffle-event') || 'click', { p, g });
  });
  on('visibilitychange', () => {
    engage(!doc.hidden);
    if (doc.hidden) beacon();
  });
  on('pagehide', () => {
    engage(0);
    track('leave');
    beacon();
  });
  if (attr('auto') !== 'false') {
    pageview();
    for (const k of ['pushState', 'replaceState'] as const) {
      const original = history[k];
      history[k] = (...args: Parameters<History['pushState']>) => {
        original.apply(history, args);
        navigate();
      };
    }
    // popstate and hashchange compare the whole URL: a traversal that only changes the hash also fires
    // hashchange, so this counts nothing hashchange would not.
    on('popstate', navigate);
    on('hashchange', navigate);
    on('pageshow', (e) => (e as PageTransitionEvent).persisted && pageview());
  }
}

for (const args of pending || []) riffle(...(args as unknown as [string, Options?]));

export {};
