'use client';

import { type ReactNode, useState } from 'react';
import type { DashboardData } from '../hooks/use-dashboard-data';
import { type Breakdown, breakdownOf } from '../model/breakdown';
import type { Filter } from '../model/filters';
import { formatCount } from '../model/format';
import type { PanelRole } from '../model/panels';
import { currentRows, lateCount } from '../model/rows';
import { BreakdownList } from './breakdown-list';
import { CsvButton } from './csv-button';
import { Panel, Tabs } from './panel';

export interface BreakdownTab {
  role: PanelRole;
  label: string;
  labelHeader: string;
  countHeader: string;
  /** Rewrites labels for display (country codes → names); filters keep the raw value. */
  display?: (label: string) => string;
}

interface BreakdownPanelProps {
  title: string;
  tabs: readonly BreakdownTab[];
  data: DashboardData;
  site: string;
  filters: readonly Filter[];
  onFilter: (filter: Filter) => void;
  testId: string;
  children?: (breakdown: Breakdown, tab: BreakdownTab) => ReactNode;
}

/** A ranked list panel with optional tabs (Sources / Referrers / Campaigns…); rows filter the dashboard. */
export function BreakdownPanel({
  title,
  tabs,
  data,
  site,
  filters,
  onFilter,
  testId,
  children,
}: BreakdownPanelProps) {
  const [selected, setSelected] = useState(tabs[0]?.role);
  const tab = tabs.find((t) => t.role === selected) ?? tabs[0];
  if (!tab) return null;
  const { view, status } = data.view(tab.role);
  const rows = view ? currentRows(view, data.mode === 'live' ? data.clock.staleBeforeMs : undefined) : [];
  const raw = view ? breakdownOf(view.def, rows) : { entries: [], measure: '' };
  const breakdown: Breakdown = tab.display
    ? {
        ...raw,
        entries: raw.entries.map((e) => (e.other ? e : { ...e, label: tab.display?.(e.label) ?? e.label })),
      }
    : raw;
  const active = filters.find((f) => f.field === breakdown.field);
  const late = lateCount(rows);
  return (
    <Panel
      title={title}
      subtitle={data.mode === 'live' ? 'Last 30 minutes' : 'In the selected period'}
      status={status}
      testId={testId}
      actions={
        <>
          {tabs.length > 1 ? (
            <Tabs
              label={`${title}: breakdown`}
              value={tab.role}
              options={tabs.map((t) => ({ value: t.role, label: t.label }))}
              onChange={setSelected}
            />
          ) : null}
          <CsvButton
            site={site}
            panel={tab.label}
            header={[tab.labelHeader, tab.countHeader]}
            rows={() => breakdown.entries.map((e) => [e.label, e.count])}
          />
        </>
      }
      footer={late > 0 ? `${formatCount(late)} late events not counted.` : undefined}
    >
      <BreakdownList
        breakdown={breakdown}
        labelHeader={tab.labelHeader}
        countHeader={tab.countHeader}
        onFilter={onFilter}
        testId={`${testId}-list`}
        {...(active ? { active } : {})}
      />
      {children?.(breakdown, tab)}
    </Panel>
  );
}

const regionNames =
  typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : undefined;

/** "GB" → "United Kingdom"; anything that is not a two-letter code stays as it is. */
export function countryLabel(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}
