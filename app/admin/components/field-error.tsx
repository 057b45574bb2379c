import styles from '../styles/form.module.css';

/** The id of a field's error text, for aria-describedby. */
export function errorId(base: string, key: string): string {
  return `${base}-err-${key.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

/** A field's error, right under it; rendered as text. */
export function FieldError({
  id,
  message,
  testKey,
}: {
  id: string;
  message: string | undefined;
  testKey: string;
}) {
  if (message === undefined) return null;
  return (
    <p id={id} className={styles.fieldError} data-testid={`error-${testKey}`}>
      {message}
    </p>
  );
}
