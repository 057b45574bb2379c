'use client';

import { type SiteSummary, sitesResponseSchema } from '../model/schemas';
import { fetchJson } from './fetch-json';
import { type Polled, usePolling } from './use-polling';

/** The sites this server collects for (`GET /api/sites`), read again every minute. */
export function useSites(): Polled<SiteSummary[]> {
  return usePolling(
    'sites',
    async (signal) => (await fetchJson('/api/sites', sitesResponseSchema, signal)).sites,
    60_000,
  );
}
