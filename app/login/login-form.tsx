'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { z } from 'zod';
import { api } from '../admin/client/api';
import { safeNext } from '../admin/model/next-url';
import { sessionSchema } from '../admin/model/schemas';
import styles from './login.module.css';

type Problem =
  | { kind: 'wrong' }
  | { kind: 'limited'; untilMs: number }
  | { kind: 'disabled' }
  | { kind: 'other'; message: string };

/** The password form: 401 "wrong password", 429 "too many attempts, retry in N s" (from Retry-After). */
export function LoginForm() {
  const id = useId();
  const router = useRouter();
  const next = safeNext(useSearchParams().get('next'));
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [checking, setChecking] = useState(true);
  const [now, setNow] = useState(() => Date.now());
  const input = useRef<HTMLInputElement>(null);

  // Already logged in: straight on. Login disabled on the server: say how to enable it.
  useEffect(() => {
    const controller = new AbortController();
    api('GET', '/api/admin/session', sessionSchema, { signal: controller.signal, allowUnauthorized: true })
      .then((result) => {
        if (result.ok && result.data.authenticated) router.replace(next);
        else if (result.ok && !result.data.loginEnabled) setProblem({ kind: 'disabled' });
        setChecking(false);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [next, router]);

  const limitedFor = problem?.kind === 'limited' ? Math.max(0, Math.ceil((problem.untilMs - now) / 1000)) : 0;
  useEffect(() => {
    if (problem?.kind !== 'limited') return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [problem]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password === '') {
      setProblem({ kind: 'other', message: 'Enter the admin password.' });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setProblem(undefined);
    const result = await api('POST', '/api/admin/login', z.unknown(), {
      body: { password },
      allowUnauthorized: true,
    });
    setBusy(false);
    if (result.ok) {
      router.replace(next);
      return;
    }
    setPassword('');
    input.current?.focus();
    if (result.status === 401) setProblem({ kind: 'wrong' });
    else if (result.status === 429) {
      setNow(Date.now());
      setProblem({ kind: 'limited', untilMs: Date.now() + (result.retryAfterS ?? 60) * 1000 });
    } else if (result.status === 503) setProblem({ kind: 'disabled' });
    else setProblem({ kind: 'other', message: result.error.error });
  };

  const disabled = problem?.kind === 'disabled';
  const message =
    problem === undefined
      ? undefined
      : problem.kind === 'wrong'
        ? 'Wrong password.'
        : problem.kind === 'limited'
          ? limitedFor > 0
            ? `Too many attempts: retry in ${limitedFor} s.`
            : 'You can try again now.'
          : problem.kind === 'disabled'
            ? undefined
            : problem.message;

  if (disabled) {
    return (
      <div className={styles.notice} role="alert" data-testid="login-disabled">
        <p>
          <strong>Admin login is disabled on this server.</strong>
        </p>
        <p>
          Set <code>ADMIN_PASSWORD</code> (at least 8 characters) in the server’s environment and restart it.{' '}
          <code>npm start</code> generates one into <code>DATA_DIR/admin-password</code> when it is unset.
        </p>
      </div>
    );
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-busy={checking || busy}>
      <label htmlFor={`${id}-password`} className={styles.label}>
        Password
      </label>
      <input
        ref={input}
        id={`${id}-password`}
        className={styles.input}
        type="password"
        name="password"
        autoComplete="current-password"
        // biome-ignore lint/a11y/noAutofocus: the page's only task is this field.
        autoFocus
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={problem?.kind === 'wrong'}
        aria-describedby={message ? `${id}-error` : undefined}
        data-testid="login-password"
      />
      <p id={`${id}-error`} className={styles.error} role="alert" data-testid="login-error">
        {message ?? ''}
      </p>
      <button
        type="submit"
        className={`button ${styles.submit}`}
        disabled={busy || limitedFor > 0}
        data-testid="login-submit"
      >
        {busy ? 'Logging in…' : 'Log in'}
      </button>
      {next !== '/admin' ? (
        <p className={styles.muted}>
          Then on to <code>{next}</code>.
        </p>
      ) : null}
    </form>
  );
}
