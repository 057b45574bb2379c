import type { Metadata } from 'next';
import { Suspense } from 'react';
import styles from './login.module.css';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Log in · Riffle', robots: { index: false } };

/** `/login?next=/admin/…`: the admin password, then back to where the user came from. */
export default function LoginPage() {
  return (
    <main className={styles.page}>
      <div className={styles.card}>
        <p className={styles.brand}>
          <span className={styles.brandMark} aria-hidden="true" />
          Riffle
        </p>
        <h1 className={styles.title}>Admin login</h1>
        <Suspense fallback={<p className={styles.muted}>Loading…</p>}>
          <LoginForm />
        </Suspense>
      </div>
    </main>
  );
}
