import { canonical } from '../../../lib/aggregation/canonical';
import { type CompileResult, compileSql, type SqlError, toSql } from '../../../lib/sql';
import type { WindowDefinition } from '../../../lib/windows/definition';
import { definitionToForm, validateForm, type WindowForm } from './window-form';
import { describeShape } from './window-list';

/**
 * The window editor's conversions between its two tabs, kept pure: form → SQL (`toSql` of the validated
 * form) and SQL → form (`compileSql`, then the form of the definition), with the window's metadata (id,
 * name, site) owned by the editor and shared by both tabs.
 */

/** Compiles need an id; until one is typed, this stands in (its own error shows at the id field). */
export const PLACEHOLDER_ID = 'new_window';

export function compileOptions(form: Pick<WindowForm, 'id' | 'name' | 'site'>, version: number) {
  return {
    id: form.id.trim() === '' ? PLACEHOLDER_ID : form.id.trim(),
    version,
    ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
    site: form.site === '' ? null : form.site,
  };
}

export function compileForm(form: WindowForm, sql: string, version: number): CompileResult {
  return compileSql(sql, compileOptions(form, version));
}

/** The form with stand-ins for a missing id and name, so the rest can be judged (and converted) on its own. */
function withPlaceholders(form: WindowForm): WindowForm {
  return {
    ...form,
    id: form.id.trim() === '' ? PLACEHOLDER_ID : form.id,
    name: form.name.trim() === '' ? PLACEHOLDER_ID : form.name,
  };
}

export type ToSqlResult =
  | { ok: true; sql: string; definition: WindowDefinition }
  | { ok: false; message: string };

/** Form → SQL, or why not (errors in the form, or a definition the dialect cannot spell). */
export function formToSql(form: WindowForm, version: number): ToSqlResult {
  const validation = validateForm(withPlaceholders(form), version);
  if (!validation.ok)
    return { ok: false, message: 'Fix the errors in the form first: the SQL is written from a valid form.' };
  try {
    return { ok: true, sql: toSql(validation.definition), definition: validation.definition };
  } catch (error) {
    return {
      ok: false,
      message: `This window has no SQL spelling (${error instanceof Error ? error.message : String(error)}); keep editing it in the form.`,
    };
  }
}

export type ToFormResult =
  | { ok: true; form: WindowForm; definition: WindowDefinition }
  | { ok: false; error: SqlError };

/** SQL → form; the editor's id, name (unless empty: then the PUMP's name) and site stay. */
export function sqlToForm(form: WindowForm, sql: string, version: number): ToFormResult {
  const compiled = compileForm(form, sql, version);
  if (!compiled.ok) return { ok: false, error: compiled.error };
  const next = definitionToForm(compiled.definition);
  const pumpName = compiled.definition.name !== PLACEHOLDER_ID ? compiled.definition.name : '';
  return {
    ok: true,
    definition: compiled.definition,
    form: { ...next, id: form.id, name: form.name.trim() === '' ? pumpName : form.name, site: form.site },
  };
}

/** Two definitions mean the same (id, name and version aside): converting back need not rewrite the SQL. */
export function sameQuery(a: WindowDefinition, b: WindowDefinition): boolean {
  const strip = ({ id: _i, name: _n, version: _v, ...rest }: WindowDefinition) => canonical(rest);
  return strip(a) === strip(b);
}

/** A compiled query in one line: "tumbling 10 s · by path · views". */
export function describeDefinition(d: WindowDefinition): string {
  const groups = d.groupBy.map((g) => (typeof g === 'string' ? g : g.as));
  const by =
    groups.length > 0
      ? ` · ${d.type === 'stagger' || d.type === 'session' ? 'partitioned' : 'grouped'} by ${groups.join(', ')}`
      : '';
  const filter = d.where ? ' · filtered' : '';
  return `${describeShape(d)}${by}${filter} · ${d.aggregates.map((a) => a.name).join(', ')}`;
}

/** The SQL to show for a stored window: its own text while it still compiles to the stored definition. */
export function initialSql(
  row: { sql?: string | undefined; sqlText?: string | undefined },
  definition: WindowDefinition,
): string {
  if (row.sql !== undefined) {
    const compiled = compileForm(definitionToForm(definition), row.sql, definition.version);
    if (compiled.ok && sameQuery(compiled.definition, definition)) return row.sql;
  }
  return row.sqlText ?? '';
}
