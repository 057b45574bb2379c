'use client';

import { useState } from 'react';
import type { DashboardData } from '../hooks/use-dashboard-data';
import { formatBucket, formatCount, formatDecimal, formatRate } from '../model/format';
import { lateCount } from '../model/rows';
import { barSeries, eventsPerSecond } from '../model/select';
import chartStyles from '../styles/charts.module.css';
import { BarSeriesChart, LineSeriesChart } from './charts';
import { CsvButton } from './csv-button';
import { Panel, Tabs } from './panel';
import { liveMinutesClock } from './stat-cards';

const iso = (ms: number) => new Date(ms).toISOString();

/** The live events-per-second line (events_1s, else the 1-minute sliding events_rate). */
export function EventsPerSecondPanel({ data, site }: { data: DashboardData; site: string }) {
  const live = data.mode === 'live';
  const { id, view, status } = data.view('eventsPerSecond');
  const series = eventsPerSecond(view, data.clock, live);
  const subtitle = live
    ? id === 'events_1s'
      ? 'Every second, last 2 minutes'
      : 'Last-minute average, every second (events_1s not available)'
    : 'Events in the period, per second';
  return (
    <Panel
      title="Events per second"
      subtitle={subtitle}
      status={status}
      skeleton="chart"
      testId="panel-events"
      actions={
        series && series.points.length > 0 ? (
          <CsvButton
            site={site}
            panel="events per second"
            header={['start', 'events_per_second']}
            rows={() => series.points.map((p) => [iso(p.t), p.value])}
          />
        ) : null
      }
    >
      {live ? (
        <p className={chartStyles.headline}>
          <span className={chartStyles.headlineValue} data-testid="events-rate-value">
            {formatRate(series?.average ?? null)}
          </span>
          <span className={chartStyles.headlineUnit}>events/s over the last minute</span>
        </p>
      ) : (
        <p className={chartStyles.headline}>
          <span className={chartStyles.headlineValue} data-testid="events-total">
            {formatCount(series?.total ?? null)}
          </span>
          <span className={chartStyles.headlineUnit}>
            events · {formatRate(series?.average ?? null)}/s on average
          </span>
        </p>
      )}
      {series && series.points.length > 0 ? (
        <LineSeriesChart
          points={series.points}
          unit="events/s"
          decimals
          seconds={live}
          label={`Events per second; latest ${formatDecimal(series.points.at(-1)?.value ?? 0)}`}
          testId="events-chart"
        />
      ) : (
        <p className={chartStyles.headlineUnit}>
          {live
            ? 'Waiting for the first seconds of data…'
            : 'A per-second line is shown for periods up to an hour.'}
        </p>
      )}
    </Panel>
  );
}

/** Pageviews per minute as bars: the last 30 or 60 minutes live, the whole period otherwise. */
export function PageviewsPanel({ data, site }: { data: DashboardData; site: string }) {
  const live = data.mode === 'live';
  const [minutes, setMinutes] = useState<30 | 60>(30);
  const { view, status } = data.view('pageviews');
  const clock = live ? liveMinutesClock(data.clock, minutes) : data.clock;
  const bars = barSeries(view, clock, 144);
  const total = bars?.points.reduce((sum, p) => sum + p.value, 0) ?? 0;
  const late = view ? lateCount([...view.rows.values()].filter((r) => r.end > clock.fromMs)) : 0;
  const bucket = formatBucket(bars?.bucketMs);
  return (
    <Panel
      title="Pageviews"
      subtitle={live ? `Per minute, last ${minutes} minutes` : `Per ${bucket} over the period`}
      status={status}
      skeleton="chart"
      testId="panel-pageviews"
      actions={
        <>
          {live ? (
            <Tabs
              label="Minutes shown"
              value={String(minutes) as '30' | '60'}
              options={[
                { value: '30', label: '30 min' },
                { value: '60', label: '60 min' },
              ]}
              onChange={(value) => setMinutes(value === '60' ? 60 : 30)}
            />
          ) : null}
          {bars ? (
            <CsvButton
              site={site}
              panel="pageviews"
              header={['start', 'pageviews']}
              rows={() => bars.points.map((p) => [iso(p.t), p.value])}
            />
          ) : null}
        </>
      }
      footer={
        late > 0
          ? `${formatCount(late)} late events arrived after their minute closed and are not counted.`
          : undefined
      }
    >
      <p className={chartStyles.headline}>
        <span className={chartStyles.headlineValue} data-testid="pageviews-total">
          {formatCount(total)}
        </span>
        <span className={chartStyles.headlineUnit}>pageviews</span>
      </p>
      {bars ? (
        <BarSeriesChart
          points={bars.points}
          unit="pageviews"
          label={`Pageviews per ${bucket}: ${formatCount(total)} in total`}
          testId="pageviews-chart"
        />
      ) : null}
    </Panel>
  );
}
