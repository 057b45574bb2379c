import type { SqlError } from '../../../lib/sql';
import type { WindowDefinition } from '../../../lib/windows/definition';
import { compileForm, PLACEHOLDER_ID } from './editor';
import type { ApiError } from './schemas';
import {
  changesSemantics,
  errorKey,
  type FieldErrors,
  fieldToPath,
  formToInput,
  validateForm,
  type WindowForm,
} from './window-form';

/**
 * The window editor's requests and the placing of the API's answers, kept pure: what to send for the
 * current tab (SQL text or a definition), as a create or an edit, and where an error goes.
 */

export type EditorTab = 'form' | 'sql';
export type StartFrom = 'now' | 'trim_horizon';

export interface EditorState {
  tab: EditorTab;
  form: WindowForm;
  sql: string;
  version: number;
}

export type Refusal = { ok: false; problem: string; sqlError?: SqlError; showFormErrors?: boolean };

const orPlaceholder = (text: string) => (text.trim() === '' ? PLACEHOLDER_ID : text.trim());

/** The definition the current tab describes, when it is valid. */
export function currentDefinition(state: EditorState): WindowDefinition | undefined {
  if (state.tab === 'sql') {
    const compiled = compileForm(state.form, state.sql, state.version);
    return compiled.ok ? compiled.definition : undefined;
  }
  const validation = validateForm(state.form, state.version);
  return validation.ok ? validation.definition : undefined;
}

/**
 * The window part of a request (preview or save): `{sql, id, name?}` or `{definition}`. A missing id or
 * name is stood in for, so a new window can be previewed before it has one.
 */
export function windowPart(state: EditorState): { ok: true; body: Record<string, unknown> } | Refusal {
  const { form, sql, version } = state;
  if (state.tab === 'sql') {
    const compiled = compileForm(form, sql, version);
    if (!compiled.ok)
      return { ok: false, problem: 'The SQL has an error (marked above).', sqlError: compiled.error };
    return {
      ok: true,
      body: {
        sql,
        id: orPlaceholder(form.id),
        ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
      },
    };
  }
  const standIns = { ...form, id: orPlaceholder(form.id), name: orPlaceholder(form.name) };
  const validation = validateForm(standIns, version);
  if (!validation.ok)
    return { ok: false, problem: 'Fix the errors in the form first.', showFormErrors: true };
  return { ok: true, body: { definition: formToInput(standIns, version).input } };
}

export interface SaveRequest {
  ok: true;
  method: 'POST' | 'PATCH';
  path: string;
  body: Record<string, unknown>;
}

/**
 * Create: `POST /api/admin/windows` with the window and its start. Edit: `PATCH /api/admin/windows/:id`;
 * the start goes only with a change in meaning (a new version). `PATCH {sql}` keeps the stored name and
 * site, so a renamed or moved window written in SQL goes as its compiled definition.
 */
export function saveRequest(
  state: EditorState,
  existing: WindowDefinition | undefined,
  start: StartFrom,
): SaveRequest | Refusal {
  const { form } = state;
  const meta = validateForm(form, state.version).errors;
  const metaProblem = (['id', 'name', 'site'] as const).find((k) => meta[k] !== undefined);
  if (metaProblem)
    return { ok: false, problem: `Fix the window’s ${metaProblem} first.`, showFormErrors: true };
  const part = windowPart(state);
  if (!part.ok) return part;
  const site = form.site === '' ? null : form.site;
  if (existing === undefined) {
    return {
      ok: true,
      method: 'POST',
      path: '/api/admin/windows',
      body: { ...part.body, ...(state.tab === 'sql' ? { site } : {}), start },
    };
  }
  const definition = currentDefinition(state);
  const renamedOrMoved = form.name.trim() !== existing.name || site !== existing.site;
  const body =
    state.tab === 'sql'
      ? renamedOrMoved && definition !== undefined
        ? { definition: { ...definition, name: form.name.trim(), site } }
        : { sql: state.sql }
      : part.body;
  const newVersion = definition !== undefined && changesSemantics(existing, definition);
  return {
    ok: true,
    method: 'PATCH',
    path: `/api/admin/windows/${encodeURIComponent(existing.id)}`,
    body: { ...body, ...(newVersion ? { start } : {}) },
  };
}

/** An API error positioned in SQL (`{field: 'sql', line, column, token?, expected?}`), as the editor marks it. */
export function apiSqlError(problem: ApiError): SqlError | undefined {
  if (problem.field !== 'sql' || problem.line === undefined) return undefined;
  return {
    message: problem.error,
    line: problem.line,
    column: problem.column ?? 1,
    ...(problem.token === undefined ? {} : { token: problem.token }),
    ...(problem.expected === undefined ? {} : { expected: problem.expected }),
  };
}

export interface Placement {
  /** Mark this in the SQL editor (and show the SQL tab). */
  sqlError?: SqlError;
  /** Show these at their fields. */
  fieldErrors: FieldErrors;
  /** Say this next to the button. */
  message: string;
}

/** Where an error of the API goes: the SQL editor, a field of the form or the metadata, or the button. */
export function placeApiError(problem: ApiError, form: WindowForm, tab: EditorTab): Placement {
  const sqlError = apiSqlError(problem);
  if (sqlError)
    return { sqlError, fieldErrors: {}, message: 'The server refused the SQL: see the marked error.' };
  if (problem.field === undefined) return { fieldErrors: {}, message: problem.error };
  const key = errorKey(form, fieldToPath(problem.field));
  const visible = tab === 'form' || key === 'id' || key === 'name' || key === 'site';
  return {
    fieldErrors: { [key]: problem.error },
    message: visible ? `${problem.error} (at ${key})` : `${problem.field}: ${problem.error}`,
  };
}
