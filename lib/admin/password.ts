import { scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Compares a login attempt with the configured password in constant time: both go through scrypt with the
 * same salt, so neither their lengths nor their common prefix leak through timing.
 */
export function passwordMatches(attempt: string, configured: string): boolean {
  const salt = 'riffle-admin-login';
  const a = scryptSync(attempt, salt, 32);
  const b = scryptSync(configured, salt, 32);
  return timingSafeEqual(a, b);
}
