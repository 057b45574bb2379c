'use client';

import { type CsvCell, csvFileName, toCsv } from '../model/csv';
import styles from '../styles/panel.module.css';

interface CsvButtonProps {
  site: string;
  panel: string;
  header: readonly string[];
  rows: () => ReadonlyArray<readonly CsvCell[]>;
}

/** Exports a panel's rows as an RFC 4180 CSV file, built in the browser. */
export function CsvButton({ site, panel, header, rows }: CsvButtonProps) {
  const download = () => {
    const blob = new Blob([toCsv(header, rows())], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = csvFileName(site, panel, Date.now());
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <button
      type="button"
      className={styles.iconButton}
      onClick={download}
      aria-label={`Export ${panel} as CSV`}
    >
      <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path
          d="M8 1v9m0 0L4.5 6.5M8 10l3.5-3.5M2 12v2h12v-2"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
        />
      </svg>
      CSV
    </button>
  );
}
