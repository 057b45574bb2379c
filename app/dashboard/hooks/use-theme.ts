'use client';

import { useCallback, useEffect, useState } from 'react';

export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_STORAGE_KEY = 'riffle-theme';

function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(THEME_STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

function systemPrefersDark(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/**
 * The dashboard's colour theme: follows the OS until the user picks one, which is kept in localStorage.
 * The root layout's inline script applies the stored choice before the first paint (no flash).
 */
export function useTheme(): { choice: ThemeChoice; dark: boolean; toggle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>('system');
  const [systemDark, setSystemDark] = useState(false);

  useEffect(() => {
    setChoice(readChoice());
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    setSystemDark(media.matches);
    const onChange = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);

  const dark = choice === 'system' ? systemDark : choice === 'dark';

  const toggle = useCallback(() => {
    const next: ThemeChoice = (choice === 'system' ? systemPrefersDark() : choice === 'dark')
      ? 'light'
      : 'dark';
    // Back to "follow the OS" when the pick matches it again.
    const stored: ThemeChoice = next === (systemPrefersDark() ? 'dark' : 'light') ? 'system' : next;
    try {
      if (stored === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, stored);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
    if (stored === 'system') delete document.documentElement.dataset['theme'];
    else document.documentElement.dataset['theme'] = stored;
    setChoice(stored);
  }, [choice]);

  return { choice, dark, toggle };
}
