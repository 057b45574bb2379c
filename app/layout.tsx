import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Riffle',
  description: 'Self-hosted, real-time clickstream analytics.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
};

/**
 * Applies the theme stored by the dashboard's toggle before the first paint (no light flash in dark
 * mode). A constant, never user data. The demo shop stands for a visitor's site and keeps the OS setting.
 */
const THEME_SCRIPT =
  "try{var t=localStorage.getItem('riffle-theme');if((t==='dark'||t==='light')&&location.pathname.indexOf('/demo')!==0)document.documentElement.dataset.theme=t}catch(e){}";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The script above may set data-theme before React hydrates <html>.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script>{THEME_SCRIPT}</script>
      </head>
      <body>{children}</body>
    </html>
  );
}
