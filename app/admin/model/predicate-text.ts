import type { Predicate, PredicateValue } from '../../../lib/windows/predicate';

/** A predicate as SQL-like text, for showing a filter the form rows cannot edit (it is rendered as text). */

function literal(value: PredicateValue): string {
  return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
}

const OPS: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

export function predicateToSqlText(p: Predicate, nested = false): string {
  if ('and' in p || 'or' in p) {
    const [word, parts] = 'and' in p ? ['AND', p.and] : ['OR', p.or];
    const text = parts.map((child) => predicateToSqlText(child, true)).join(` ${word} `);
    return nested && parts.length > 1 ? `(${text})` : text;
  }
  if (p.op === 'exists') return `${p.field} ${p.value === false ? 'IS NULL' : 'IS NOT NULL'}`;
  const { value } = p;
  if (Array.isArray(value))
    return `${p.field} ${p.op === 'not_in' ? 'NOT IN' : 'IN'} (${value.map(literal).join(', ')})`;
  if (p.op === 'prefix') return `${p.field} LIKE ${literal(`${String(value)}%`)}`;
  return `${p.field} ${OPS[p.op] ?? p.op} ${literal(value)}`;
}
