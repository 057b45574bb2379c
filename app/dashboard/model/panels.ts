import type { FeedEvent, WindowDef } from './schemas';

/**
 * Which windows feed which dashboard panel, best first: a window that does not exist (yet) on this server
 * falls back to the next one, or the panel shows that it is not available.
 */
export const PANEL_WINDOWS = {
  online: ['online_now', 'visitors_live'],
  visitors: ['visitors_live'],
  eventsPerSecond: ['events_1s', 'events_rate'],
  eventsTotal: ['events_rate'],
  pageviews: ['pageviews_1m'],
  pages: ['top_pages'],
  sources: ['top_sources'],
  referrers: ['referrers'],
  campaigns: ['campaigns'],
  devices: ['devices'],
  browsers: ['browsers'],
  os: ['operating_systems'],
  countries: ['countries'],
  customEvents: ['custom_events'],
  sessions: ['sessions'],
} as const satisfies Record<string, readonly string[]>;

export type PanelRole = keyof typeof PANEL_WINDOWS;

const KNOWN_IDS = new Set<string>(Object.values(PANEL_WINDOWS).flat());

export type WindowIndex = ReadonlyMap<string, WindowDef>;

export function pickWindow(role: PanelRole, windows: WindowIndex): WindowDef | undefined {
  for (const id of PANEL_WINDOWS[role]) {
    const def = windows.get(id);
    if (def) return def;
  }
  return undefined;
}

/** Windows without a dedicated panel (defined in the admin, or built-ins this dashboard does not know). */
export function autoPanelWindows(windows: Iterable<WindowDef>): WindowDef[] {
  return [...windows].filter((def) => !KNOWN_IDS.has(def.id)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Every window the live view subscribes to: each panel's choice plus the auto panels (≤ max). */
export function liveWindowIds(windows: WindowIndex, max = 50): string[] {
  const ids = new Set<string>();
  for (const role of Object.keys(PANEL_WINDOWS) as PanelRole[]) {
    if (role === 'visitors' || role === 'eventsTotal') continue;
    const def = pickWindow(role, windows);
    if (def) ids.add(def.id);
  }
  for (const def of autoPanelWindows(windows.values())) ids.add(def.id);
  return [...ids].sort().slice(0, max);
}

const RANGED_ROLES: PanelRole[] = [
  'visitors',
  'eventsTotal',
  'pageviews',
  'pages',
  'sources',
  'referrers',
  'campaigns',
  'devices',
  'browsers',
  'os',
  'countries',
  'customEvents',
  'sessions',
];

/**
 * The windows to re-run through the ad-hoc query for a range: per-second series only up to an hour (a day
 * of them would be 86,400 results), the unique-visitor window instead of "online now".
 */
export function rangeWindowIds(windows: WindowIndex, rangeMs: number, max = 50): string[] {
  const ids = new Set<string>();
  for (const role of RANGED_ROLES) {
    const def = pickWindow(role, windows);
    if (def) ids.add(def.id);
  }
  const perSecond = windows.get('events_1s');
  if (perSecond && rangeMs <= 3_600_000) ids.add(perSecond.id);
  for (const def of autoPanelWindows(windows.values())) ids.add(def.id);
  return [...ids].sort().slice(0, max);
}

export interface PropCount {
  prop: string;
  value: string;
  count: number;
}

/** Property values of one custom event type seen in the live feed, most frequent first. */
export function propsSummary(feed: readonly FeedEvent[], type: string, max = 20): PropCount[] {
  const counts = new Map<string, PropCount>();
  for (const event of feed) {
    if (event.type !== type || !event.props) continue;
    for (const [prop, raw] of Object.entries(event.props)) {
      const value = String(raw);
      const id = `${prop}\u0000${value}`;
      const entry = counts.get(id);
      if (entry) entry.count++;
      else counts.set(id, { prop, value, count: 1 });
    }
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.prop.localeCompare(b.prop) || a.value.localeCompare(b.value))
    .slice(0, max);
}
