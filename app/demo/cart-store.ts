import { useSyncExternalStore } from 'react';

/**
 * The demo cart: a tiny client-side store kept in sessionStorage, so it survives client-side navigation
 * and reloads within the tab. Lines are {slug, quantity}; prices come from the catalogue.
 */

export interface CartLine {
  slug: string;
  quantity: number;
}

const STORAGE_KEY = 'riffle-demo-cart';
const EMPTY: readonly CartLine[] = [];

let lines: readonly CartLine[] | undefined;
const listeners = new Set<() => void>();

function isCartLine(value: unknown): value is CartLine {
  return (
    typeof value === 'object' &&
    value !== null &&
    'slug' in value &&
    'quantity' in value &&
    typeof value.slug === 'string' &&
    typeof value.quantity === 'number' &&
    Number.isInteger(value.quantity) &&
    value.quantity > 0
  );
}

function load(): readonly CartLine[] {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter(isCartLine) : EMPTY;
  } catch {
    // Storage disabled or corrupt: start with an empty cart rather than failing the page.
    return EMPTY;
  }
}

function save(next: readonly CartLine[]): void {
  lines = next;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage may be full or disabled; the in-memory cart still works for this page view.
  }
  for (const listener of listeners) listener();
}

function getSnapshot(): readonly CartLine[] {
  lines ??= load();
  return lines;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCart(): readonly CartLine[] {
  return useSyncExternalStore(subscribe, getSnapshot, () => EMPTY);
}

export function addToCart(slug: string): void {
  const current = getSnapshot();
  const existing = current.find((line) => line.slug === slug);
  save(
    existing
      ? current.map((line) => (line.slug === slug ? { ...line, quantity: line.quantity + 1 } : line))
      : [...current, { slug, quantity: 1 }],
  );
}

export function removeFromCart(slug: string): void {
  save(getSnapshot().filter((line) => line.slug !== slug));
}

export function clearCart(): void {
  save(EMPTY);
}
