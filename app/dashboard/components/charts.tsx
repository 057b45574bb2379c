'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  type TooltipContentProps,
  XAxis,
  YAxis,
} from 'recharts';
import { formatClock, formatCount, formatDecimal, formatMinute } from '../model/format';
import type { Point } from '../model/series';
import styles from '../styles/charts.module.css';

/** Axis numbers: small ones with a decimal, large ones compact ("12.3K"). */
function axisNumber(value: number): string {
  return Math.abs(value) < 10 && !Number.isInteger(value) ? formatDecimal(value) : formatCount(value);
}

interface ChartProps {
  points: readonly Point[];
  /** Accessible summary of what the chart shows. */
  label: string;
  /** Unit in the tooltip ("pageviews", "events/s"). */
  unit: string;
  /** Whether values are fractional (rates). */
  decimals?: boolean;
  /** Tick labels with seconds (short spans) or minutes. */
  seconds?: boolean;
  testId?: string;
}

function ChartTooltip({
  active,
  payload,
  label,
  unit,
  decimals,
  seconds,
}: TooltipContentProps & { unit: string; decimals: boolean; seconds: boolean }) {
  const value = payload?.[0]?.value;
  if (!active || typeof value !== 'number' || typeof label !== 'number') return null;
  return (
    <div className={styles.tooltip}>
      {seconds ? formatClock(label) : formatMinute(label)} ·{' '}
      <strong>{decimals ? formatDecimal(value) : formatCount(value)}</strong> {unit}
    </div>
  );
}

/**
 * A streaming line. Animation is off: a new point every second would restart it, and the line would
 * wobble instead of moving.
 */
export function LineSeriesChart({
  points,
  label,
  unit,
  decimals = false,
  seconds = true,
  testId,
}: ChartProps) {
  return (
    <div className={styles.chart} role="img" aria-label={label} data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points as Point[]} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => (seconds ? formatClock(t) : formatMinute(t))}
            minTickGap={40}
            tickLine={false}
            axisLine={false}
          />
          <YAxis
            allowDecimals={decimals}
            tickLine={false}
            axisLine={false}
            width="auto"
            tickFormatter={axisNumber}
          />
          <Tooltip
            isAnimationActive={false}
            content={(props) => <ChartTooltip {...props} unit={unit} decimals={decimals} seconds={seconds} />}
          />
          <Line
            type="monotone"
            dataKey="value"
            stroke="var(--accent)"
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Bars per bucket (pageviews per minute). */
export function BarSeriesChart({
  points,
  label,
  unit,
  decimals = false,
  seconds = false,
  testId,
}: ChartProps) {
  return (
    <div className={styles.chart} role="img" aria-label={label} data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points as Point[]} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => (seconds ? formatClock(t) : formatMinute(t))}
            minTickGap={24}
            tickLine={false}
            axisLine={false}
          />
          <YAxis
            allowDecimals={decimals}
            tickLine={false}
            axisLine={false}
            width="auto"
            tickFormatter={axisNumber}
          />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'var(--bar)' }}
            content={(props) => <ChartTooltip {...props} unit={unit} decimals={decimals} seconds={seconds} />}
          />
          <Bar dataKey="value" fill="var(--accent)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
