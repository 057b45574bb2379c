'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import {
  type DashboardQuery,
  type Filter,
  type FilterField,
  type Period,
  parseDashboardQuery,
  serializeDashboardQuery,
  withFilter,
  withoutFilter,
} from '../model/filters';

export interface DashboardQueryControls extends DashboardQuery {
  addFilter: (filter: Filter) => void;
  removeFilter: (field: FilterField) => void;
  clearFilters: () => void;
  setPeriod: (period: Period) => void;
}

/**
 * Filters and period live in the URL query: a dashboard link is shareable, and each change is a history
 * entry, so back/forward walks through them.
 */
export function useDashboardQuery(): DashboardQueryControls {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const search = params.toString();
  const query = useMemo(() => parseDashboardQuery(new URLSearchParams(search)), [search]);

  const navigate = useCallback(
    (next: DashboardQuery) => {
      const qs = serializeDashboardQuery(next, new URLSearchParams(search));
      router.push(qs === '' ? pathname : `${pathname}?${qs}`, { scroll: false });
    },
    [router, pathname, search],
  );

  return {
    ...query,
    addFilter: (filter) => navigate({ ...query, filters: withFilter(query.filters, filter) }),
    removeFilter: (field) => navigate({ ...query, filters: withoutFilter(query.filters, field) }),
    clearFilters: () => navigate({ ...query, filters: [] }),
    setPeriod: (period) => navigate({ ...query, period }),
  };
}
