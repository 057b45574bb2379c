import { type ReactNode, useId } from 'react';
import styles from '../styles/panel.module.css';

export type PanelStatus =
  | { kind: 'ready' }
  | { kind: 'loading' }
  /** The window behind the panel does not exist on this server (yet). */
  | { kind: 'missing'; message: string }
  /** The data source cannot answer this view (e.g. no ad-hoc query API for filters). */
  | { kind: 'unavailable'; message: string }
  | { kind: 'error'; message: string };

interface PanelProps {
  title: string;
  subtitle?: ReactNode;
  badge?: string;
  actions?: ReactNode;
  footer?: ReactNode;
  status?: PanelStatus;
  testId?: string;
  /** Skeleton shape while loading. */
  skeleton?: 'list' | 'chart';
  className?: string;
  children?: ReactNode;
}

/** A dashboard card: a titled region with optional actions, and loading/missing/unavailable states. */
export function Panel({
  title,
  subtitle,
  badge,
  actions,
  footer,
  status = { kind: 'ready' },
  testId,
  skeleton = 'list',
  className,
  children,
}: PanelProps) {
  const titleId = useId();
  return (
    <section
      className={className ? `${styles.panel} ${className}` : styles.panel}
      aria-labelledby={titleId}
      aria-busy={status.kind === 'loading'}
      data-testid={testId}
      data-status={status.kind}
    >
      <header className={styles.header}>
        <div className={styles.titleBlock}>
          <h2 className={styles.title} id={titleId}>
            {title}
            {badge ? <span className={styles.badge}>{badge}</span> : null}
          </h2>
          {subtitle ? <p className={styles.subtitle}>{subtitle}</p> : null}
        </div>
        {actions && status.kind === 'ready' ? <div className={styles.actions}>{actions}</div> : null}
      </header>
      <div className={styles.body}>
        {status.kind === 'ready' ? (
          children
        ) : status.kind === 'loading' ? (
          <Skeleton shape={skeleton} />
        ) : (
          <p className={styles.state} role={status.kind === 'error' ? 'alert' : undefined}>
            {status.message}
          </p>
        )}
      </div>
      {footer && status.kind === 'ready' ? <div className={styles.footer}>{footer}</div> : null}
    </section>
  );
}

export function Skeleton({ shape = 'list' }: { shape?: 'list' | 'chart' }) {
  return (
    <div className={styles.skeleton} aria-hidden="true" data-testid="skeleton">
      {shape === 'chart' ? (
        <div className={styles.skeletonBlock} />
      ) : (
        [0, 1, 2, 3, 4].map((i) => <div key={i} className={styles.skeletonLine} />)
      )}
    </div>
  );
}

export interface TabOption<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
}

/** A small segmented control (toggle buttons with aria-pressed). */
export function Tabs<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: ReadonlyArray<TabOption<T>>;
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className={styles.tabs}>
      <legend className="visually-hidden">{label}</legend>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={styles.tab}
          aria-pressed={option.value === value}
          disabled={option.disabled}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </fieldset>
  );
}
