'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { z } from 'zod';
import { api, redirectToLogin } from '../client/api';
import { sessionSchema } from '../model/schemas';
import styles from '../styles/shell.module.css';

type Gate =
  | { kind: 'checking' }
  | { kind: 'ready' }
  | { kind: 'disabled' }
  | { kind: 'error'; message: string };

const NAV = [
  {
    href: '/admin/sites',
    label: 'Sites',
    match: (p: string) => p === '/admin' || p.startsWith('/admin/sites'),
  },
  { href: '/admin/windows', label: 'Windows', match: (p: string) => p.startsWith('/admin/windows') },
  { href: '/admin/health', label: 'Pipeline health', match: (p: string) => p.startsWith('/admin/health') },
] as const;

/**
 * Every /admin page: asks `GET /api/admin/session` first and sends anonymous visitors to /login (which
 * returns here). The API refuses them anyway (401); this gate only spares them a page of errors.
 */
export function AdminShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [gate, setGate] = useState<Gate>({ kind: 'checking' });
  const [loggingOut, setLoggingOut] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    api('GET', '/api/admin/session', sessionSchema, { signal: controller.signal, allowUnauthorized: true })
      .then((result) => {
        if (!result.ok) setGate({ kind: 'error', message: result.error.error });
        else if (!result.data.loginEnabled) setGate({ kind: 'disabled' });
        else if (!result.data.authenticated) redirectToLogin();
        else setGate({ kind: 'ready' });
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  const logout = async () => {
    setLoggingOut(true);
    await api('POST', '/api/admin/logout', z.unknown(), { allowUnauthorized: true });
    window.location.assign('/login');
  };

  return (
    <div className={styles.page}>
      <a className="skip-link" href="#admin-main">
        Skip to content
      </a>
      <header className={styles.topbar}>
        <div className={styles.topbarInner}>
          <Link href="/admin" className={styles.brand}>
            <span className={styles.brandMark} aria-hidden="true" />
            Riffle <span className={styles.brandSub}>admin</span>
          </Link>
          <nav aria-label="Admin" className={styles.nav}>
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                className={styles.navLink}
                aria-current={item.match(pathname) ? 'page' : undefined}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <span className={styles.spacer} />
          <Link href="/" className={styles.navLink}>
            Dashboards
          </Link>
          {gate.kind === 'ready' ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={logout}
              disabled={loggingOut}
              data-testid="logout"
            >
              {loggingOut ? 'Logging out…' : 'Log out'}
            </button>
          ) : null}
        </div>
      </header>
      <main id="admin-main" className={styles.main} tabIndex={-1}>
        {gate.kind === 'ready' ? (
          children
        ) : gate.kind === 'checking' ? (
          <p className={styles.gate} role="status" data-testid="admin-gate">
            Checking your session…
          </p>
        ) : gate.kind === 'disabled' ? (
          <div className={styles.gate} role="alert" data-testid="admin-disabled">
            <h1>Admin login is disabled</h1>
            <p>
              This server has no admin password. Set <code>ADMIN_PASSWORD</code> (at least 8 characters) in
              the server’s environment and restart it; <code>npm start</code> generates one into{' '}
              <code>DATA_DIR/admin-password</code> when it is unset.
            </p>
          </div>
        ) : (
          <p className={styles.gate} role="alert">
            Could not check your session: {gate.message}
          </p>
        )}
      </main>
    </div>
  );
}
