'use client';

import type { KeyboardEvent, ReactNode } from 'react';
import type { EditorTab } from '../../model/requests';
import styles from '../../styles/form.module.css';

const TABS: ReadonlyArray<{ id: EditorTab; label: string }> = [
  { id: 'form', label: 'Form' },
  { id: 'sql', label: 'SQL' },
];

/**
 * The Form / SQL tabs (WAI-ARIA tabs: arrow keys, Home and End move between them). Choosing a tab asks
 * `onSelect`, which may refuse (an SQL error keeps the SQL tab); the tab shown is always `tab`.
 */
export function EditorTabs({
  base,
  tab,
  onSelect,
  children,
}: {
  base: string;
  tab: EditorTab;
  onSelect: (tab: EditorTab) => void;
  children: ReactNode;
}) {
  const onKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const keys = ['ArrowLeft', 'ArrowRight', 'Home', 'End'];
    if (!keys.includes(event.key)) return;
    event.preventDefault();
    const next: EditorTab =
      event.key === 'Home' ? 'form' : event.key === 'End' ? 'sql' : tab === 'form' ? 'sql' : 'form';
    onSelect(next);
    document.getElementById(`${base}-tab-${next}`)?.focus();
  };
  return (
    <>
      <div className={styles.tabs} role="tablist" aria-label="Editor">
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`${base}-tab-${t.id}`}
            type="button"
            role="tab"
            className={styles.tab}
            aria-selected={tab === t.id}
            aria-controls={`${base}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => onSelect(t.id)}
            onKeyDown={onKey}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        id={`${base}-panel`}
        role="tabpanel"
        aria-labelledby={`${base}-tab-${tab}`}
        className={styles.tabPanel}
      >
        {children}
      </div>
    </>
  );
}
