'use client';

import { useRouter } from 'next/navigation';
import { useId } from 'react';
import { useSites } from '../hooks/use-sites';
import { useTheme } from '../hooks/use-theme';
import { PERIOD_LABELS, PERIODS, type Period } from '../model/filters';
import styles from '../styles/toolbar.module.css';

/** Switches to another site's dashboard (same period; filters belong to a site, so they are dropped). */
export function SitePicker({ site, period }: { site: string; period: Period }) {
  const sites = useSites();
  const router = useRouter();
  const id = useId();
  const known = sites.status === 'ready' ? sites.data : [];
  const options = known.some((s) => s.id === site) ? known : [{ id: site, name: site }, ...known];
  return (
    <span className={styles.field}>
      <label htmlFor={id} className="visually-hidden">
        Site
      </label>
      <select
        id={id}
        className={styles.select}
        value={site}
        data-testid="site-picker"
        onChange={(event) => {
          const next = event.target.value;
          router.push(
            `/dashboard/${encodeURIComponent(next)}${period === 'realtime' ? '' : `?period=${period}`}`,
          );
        }}
      >
        {options.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </span>
  );
}

export function PeriodPicker({ period, onChange }: { period: Period; onChange: (period: Period) => void }) {
  return (
    <fieldset className={styles.periods} data-testid="period-picker">
      <legend className="visually-hidden">Period</legend>
      {PERIODS.map((p) => (
        <button
          key={p}
          type="button"
          className={styles.period}
          aria-pressed={p === period}
          data-period={p}
          onClick={() => onChange(p)}
        >
          {PERIOD_LABELS[p]}
        </button>
      ))}
    </fieldset>
  );
}

/** Light/dark toggle; the choice is kept in localStorage (the OS setting until one is made). */
export function ThemeToggle() {
  const { dark, toggle } = useTheme();
  const label = dark ? 'Switch to light mode' : 'Switch to dark mode';
  return (
    <button
      type="button"
      className={styles.themeButton}
      onClick={toggle}
      aria-label={label}
      title={label}
      data-testid="theme-toggle"
    >
      {dark ? (
        <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="12" r="4.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path
            d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
          />
        </svg>
      ) : (
        <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5z"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinejoin="round"
          />
        </svg>
      )}
    </button>
  );
}
