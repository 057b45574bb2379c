import type { ReactNode } from 'react';
import type { DashboardData } from '../hooks/use-dashboard-data';
import { breakdownOf } from '../model/breakdown';
import { windowCsv } from '../model/export';
import type { Filter } from '../model/filters';
import { formatClock, formatCount, formatDecimal, formatWindowSize } from '../model/format';
import {
  completeRows,
  currentRows,
  lateCount,
  primaryNumericAggregate,
  type WindowView,
} from '../model/rows';
import type { WindowDef } from '../model/schemas';
import { tumblingSeries, windowTotals } from '../model/series';
import styles from '../styles/charts.module.css';
import { BreakdownList } from './breakdown-list';
import { BarSeriesChart, LineSeriesChart } from './charts';
import { CsvButton } from './csv-button';
import { Panel } from './panel';
import { ResultsTable } from './results-table';

const PERCENTILES = new Set(['p50', 'p90', 'p99']);
const COUNTING = new Set(['count', 'count_distinct', 'sum', 'active_visitors']);
/** Windows a series chart shows at most. */
const MAX_POINTS = 120;

function describeWindow(def: WindowDef): string {
  switch (def.type) {
    case 'tumbling':
      return `Tumbling, ${formatWindowSize(def.sizeMs)}`;
    case 'sliding':
      return `Sliding, ${formatWindowSize(def.sizeMs)} every ${formatWindowSize(def.everyMs)}`;
    case 'stagger':
      return `Stagger, ${formatWindowSize(def.rangeMs)}`;
    case 'session':
      return `Session, gap ${formatWindowSize(def.gapMs)}`;
  }
}

/** Numeric values of the current window as a summary (percentiles read as a distribution). */
function Summary({
  def,
  view,
  staleBeforeMs,
}: {
  def: WindowDef;
  view: WindowView;
  staleBeforeMs: number | undefined;
}) {
  const row = currentRows(view, staleBeforeMs)[0];
  const numeric = def.aggregates.filter((a) => a.fn !== 'top_k').slice(0, 6);
  return (
    <dl className={styles.summary}>
      {numeric.map((a) => {
        const value = row?.values[a.name];
        return (
          <div key={a.name} className={styles.summaryItem}>
            <dt>{PERCENTILES.has(a.fn) ? `${a.fn} ${a.field ?? ''}` : a.name}</dt>
            <dd data-testid="summary-value">
              {typeof value === 'number'
                ? Number.isInteger(value)
                  ? formatCount(value)
                  : formatDecimal(value)
                : '—'}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/**
 * The automatic panel of a window defined in the admin. Chart by type: grouped or top-k → ranked list;
 * tumbling/sliding without groups → a line of the first value with a summary of the current window
 * (percentiles: p50/p90/p99 side by side); stagger and session → their latest results as a table.
 */
export function WindowPanel({
  def,
  data,
  site,
  filters,
  onFilter,
}: {
  def: WindowDef;
  data: DashboardData;
  site: string;
  filters: readonly Filter[];
  onFilter: (filter: Filter) => void;
}) {
  const { view, status } = data.viewById(def.id);
  const live = data.mode === 'live';
  const staleBefore = live ? data.clock.staleBeforeMs : undefined;
  const rows = view ? [...view.rows.values()] : [];
  const csv = () => windowCsv(def, rows);
  const grouped = def.groupBy.length > 0 || def.aggregates.some((a) => a.fn === 'top_k');
  const late = lateCount(rows);

  let body: ReactNode = null;
  if (view && (def.type === 'stagger' || def.type === 'session')) {
    body = <ResultsTable def={def} rows={rows} />;
  } else if (view && grouped) {
    const breakdown = breakdownOf(def, currentRows(view, staleBefore));
    const active = filters.find((f) => f.field === breakdown.field);
    body = (
      <BreakdownList
        breakdown={breakdown}
        labelHeader={def.groupBy.map((g) => (typeof g === 'string' ? g : g.as)).join(' · ') || 'Value'}
        countHeader={breakdown.measure}
        onFilter={onFilter}
        {...(active ? { active } : {})}
      />
    );
  } else if (view) {
    const name = primaryNumericAggregate(def);
    const fn = def.aggregates.find((a) => a.name === name)?.fn ?? '';
    // Counts and sums of a tumbling window are bars, zero where a window had no event; anything else
    // (averages, percentiles, sliding steps) is a line through the windows that have a value.
    const bars = def.type === 'tumbling' && COUNTING.has(fn);
    const size = def.sizeMs ?? 60_000;
    const from = Math.max(data.clock.fromMs, data.clock.toMs - MAX_POINTS * size);
    const points =
      name === undefined
        ? []
        : bars
          ? tumblingSeries(rows, name, from, data.clock.toMs, size, def.offsetMs)
          : def.type === 'tumbling'
            ? windowTotals(rows, name).filter((p) => p.end > from)
            : completeRows(view).map((row) => ({ t: row.end, value: Number(row.values[name] ?? 0) }));
    const chart = {
      points,
      unit: name ?? '',
      seconds: size < 60_000,
      label: `${def.name}: ${name ?? ''} over time`,
    };
    body = (
      <>
        <Summary def={def} view={view} staleBeforeMs={staleBefore} />
        {points.length > 1 ? (
          bars ? (
            <BarSeriesChart {...chart} />
          ) : (
            <LineSeriesChart {...chart} decimals />
          )
        ) : null}
      </>
    );
  }

  return (
    <Panel
      title={def.name}
      subtitle={`${describeWindow(def)} · ${def.id}`}
      badge={def.status === 'paused' ? 'paused' : undefined}
      status={status}
      testId={`window-panel-${def.id}`}
      skeleton={grouped ? 'list' : 'chart'}
      actions={<CsvButton site={site} panel={def.id} header={csv().header} rows={() => csv().rows} />}
      footer={
        late > 0
          ? `${formatCount(late)} late events not counted · last result ${formatClock(Math.max(...rows.map((r) => r.end)))}`
          : undefined
      }
    >
      {body}
    </Panel>
  );
}
