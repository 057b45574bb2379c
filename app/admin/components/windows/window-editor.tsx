'use client';

import Link from 'next/link';
import { useEffect, useId, useMemo, useState } from 'react';
import type { CompileResult, SqlError } from '../../../../lib/sql';
import { type WindowDefinition, windowDefinitionSchema } from '../../../../lib/windows/definition';
import { api } from '../../client/api';
import { compileForm, describeDefinition, formToSql, sameQuery, sqlToForm } from '../../model/editor';
import {
  apiSqlError,
  type EditorTab,
  placeApiError,
  type StartFrom,
  saveRequest,
  windowPart,
} from '../../model/requests';
import { previewSchema, savedWindowSchema } from '../../model/schemas';
import {
  changesSemantics,
  definitionToForm,
  emptyForm,
  type FieldErrors,
  slugId,
  validateForm,
  type WindowForm,
} from '../../model/window-form';
import formStyles from '../../styles/form.module.css';
import shell from '../../styles/shell.module.css';
import styles from '../../styles/ui.module.css';
import { EditorTabs } from './editor-tabs';
import { FormEditor } from './form-editor';
import { MetaFields } from './meta-fields';
import { PreviewPanel } from './preview-panel';
import { type Saved, SaveSection } from './save-section';
import { SqlEditor } from './sql-editor';
import { type LoadedWindow, useWindowLoad } from './use-window-load';

const COMPILE_DEBOUNCE_MS = 250;

/**
 * `/admin/windows/new` and `/admin/windows/:id`: loads the window (when editing) and the sites, then
 * hands them to the editor.
 */
export function WindowEditor({ editId }: { editId?: string }) {
  const { load, sites } = useWindowLoad(editId);
  if (load.kind === 'loading') {
    return (
      <p className={styles.empty} role="status">
        Loading the window…
      </p>
    );
  }
  if (load.kind === 'missing') {
    return (
      <p className={styles.inlineError} role="alert">
        {load.message} <Link href="/admin/windows">Back to the windows</Link>
      </p>
    );
  }
  return <Editor initial={load.kind === 'ready' ? load.window : undefined} sites={sites} />;
}

/**
 * A window in the form editor or in SQL, converted when the tab changes, validated as you type (the
 * definition schema and the SQL compiler the API runs), previewed over recent events, and saved with its
 * start position.
 */
function Editor({ initial, sites }: { initial: LoadedWindow | undefined; sites: string[] }) {
  const base = useId();
  const [existing, setExisting] = useState<WindowDefinition | undefined>(initial?.definition);
  const [form, setForm] = useState<WindowForm>(() =>
    initial ? definitionToForm(initial.definition) : emptyForm(),
  );
  const [sql, setSql] = useState(initial?.sql ?? '');
  const [tab, setTab] = useState<EditorTab>(initial?.writtenInSql ? 'sql' : 'form');
  const [idEdited, setIdEdited] = useState(initial !== undefined);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(initial !== undefined);
  const [compiled, setCompiled] = useState<CompileResult | undefined>();
  const [apiErrors, setApiErrors] = useState<FieldErrors>({});
  const [serverSqlError, setServerSqlError] = useState<SqlError | undefined>();
  const [saveError, setSaveError] = useState<string | undefined>();
  const [tabNote, setTabNote] = useState<string | undefined>();
  const [start, setStart] = useState<StartFrom>('now');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<Saved | undefined>();
  /** The query the SQL last turned into the form: going back unchanged keeps the text as written. */
  const [formFromSql, setFormFromSql] = useState<WindowDefinition | undefined>();
  const version = existing?.version ?? 1;
  const builtin = initial?.builtin === true;

  // Compile as you type, debounced.
  useEffect(() => {
    if (tab !== 'sql') return;
    if (sql.trim() === '') {
      setCompiled(undefined);
      return;
    }
    const timer = setTimeout(() => setCompiled(compileForm(form, sql, version)), COMPILE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [sql, form, version, tab]);

  const validation = useMemo(() => validateForm(form, version), [form, version]);
  const state = { tab, form, sql, version };
  // The SQL tab's definition comes from the debounced compile; the form's from its validation.
  const definition =
    tab === 'sql'
      ? compiled?.ok
        ? compiled.definition
        : undefined
      : validation.ok
        ? validation.definition
        : undefined;
  const semanticChange =
    existing !== undefined && definition !== undefined ? changesSemantics(existing, definition) : undefined;
  const visible = (key: string) =>
    submitted || [...touched].some((t) => key === t || key.startsWith(`${t}.`));
  const error = (key: string): string | undefined =>
    apiErrors[key] ?? (visible(key) ? validation.errors[key] : undefined);
  const sqlError = serverSqlError ?? (compiled && !compiled.ok ? compiled.error : undefined);

  const changed = () => {
    setApiErrors({});
    setSaveError(undefined);
    setSaved(undefined);
  };
  const update = (change: (f: WindowForm) => WindowForm, key: string) => {
    setForm((f) => {
      const next = change(f);
      // A new window's id follows its name until typed by hand.
      return !idEdited && key === 'name' ? { ...next, id: slugId(next.name) } : next;
    });
    setTouched((t) => new Set(t).add(key));
    changed();
  };

  const selectTab = (next: EditorTab) => {
    if (next === tab) return;
    setTabNote(undefined);
    if (next === 'sql') {
      const unchanged =
        formFromSql !== undefined &&
        validation.ok &&
        sameQuery(formFromSql, validation.definition) &&
        sql !== '';
      if (!unchanged) {
        const converted = formToSql(form, version);
        if (!converted.ok) {
          setSubmitted(true);
          setTabNote(converted.message);
          return;
        }
        setSql(converted.sql);
        setCompiled(compileForm(form, converted.sql, version));
        setServerSqlError(undefined);
      }
      setTab('sql');
      return;
    }
    if (sql.trim() !== '') {
      const converted = sqlToForm(form, sql, version);
      if (!converted.ok) {
        setCompiled({ ok: false, error: converted.error });
        setTabNote('The SQL has an error: fix it to open the query in the form.');
        return;
      }
      setForm(converted.form);
      setFormFromSql(converted.definition);
    }
    setTab('form');
  };

  const runPreview = async (site: string, minutes: number) => {
    const part = windowPart(state);
    if (!part.ok) {
      if (part.sqlError) setCompiled({ ok: false, error: part.sqlError });
      if (part.showFormErrors) setSubmitted(true);
      return { ok: false as const, error: { error: part.problem } };
    }
    const result = await api('POST', '/api/admin/windows/preview', previewSchema, {
      body: { ...part.body, site, minutes },
    });
    if (!result.ok) setServerSqlError(apiSqlError(result.error));
    return result;
  };

  const save = async () => {
    setSubmitted(true);
    setSaveError(undefined);
    setServerSqlError(undefined);
    const request = saveRequest(state, existing, start);
    if (!request.ok) {
      if (request.sqlError) setCompiled({ ok: false, error: request.sqlError });
      setSaveError(request.problem);
      return;
    }
    setSaving(true);
    const result = await api(request.method, request.path, savedWindowSchema, { body: request.body });
    setSaving(false);
    if (!result.ok) {
      const placement = placeApiError(result.error, form, tab);
      if (placement.sqlError) {
        setServerSqlError(placement.sqlError);
        setTab('sql');
      }
      setApiErrors(placement.fieldErrors);
      setSaveError(placement.message);
      return;
    }
    const parsed = windowDefinitionSchema.safeParse(result.data.definition);
    if (!parsed.success) {
      setSaveError(
        'Saved, but the server answered with a definition this page cannot read: reload the page.',
      );
      return;
    }
    const stored = parsed.data;
    setSaved({
      id: stored.id,
      version: stored.version,
      name: stored.name,
      start: result.data.startFrom,
      site: stored.site,
    });
    setExisting(stored);
    setIdEdited(true);
    setForm((f) => ({ ...f, id: stored.id }));
  };

  return (
    <>
      <header className={shell.pageHeader}>
        <div>
          <h1 className={shell.pageTitle}>
            {existing === undefined ? 'New window' : `Edit “${existing.name}”`}
          </h1>
          <p className={shell.pageLead}>
            {existing === undefined
              ? 'Define it in the form or in streaming SQL; each tab converts to the other.'
              : `Version ${existing.version}. An edit that changes what it computes becomes version ${existing.version + 1}.`}
          </p>
        </div>
        <Link href="/admin/windows" className="button button-secondary">
          ← All windows
        </Link>
      </header>

      {builtin ? (
        <p className={styles.notice} role="note">
          Built-in windows feed the dashboard: they can be paused on the windows page, not edited.
        </p>
      ) : null}

      <section className={styles.card} aria-label="Window">
        <MetaFields
          base={base}
          form={form}
          sites={sites}
          creating={existing === undefined}
          error={error}
          onName={(name) => update((f) => ({ ...f, name }), 'name')}
          onId={(id) => {
            setIdEdited(true);
            update((f) => ({ ...f, id }), 'id');
          }}
          onSite={(site) => update((f) => ({ ...f, site }), 'site')}
        />
        <EditorTabs base={base} tab={tab} onSelect={selectTab}>
          {tabNote ? (
            <p className={styles.inlineError} role="alert" data-testid="tab-note">
              {tabNote}
            </p>
          ) : null}
          {tab === 'form' ? (
            <>
              <FormEditor base={base} form={form} update={update} error={error} />
              <details className={formStyles.asSql}>
                <summary>As SQL</summary>
                <pre className={formStyles.readonlyCode} data-testid="form-as-sql">
                  {(() => {
                    const converted = formToSql(form, version);
                    return converted.ok ? converted.sql : converted.message;
                  })()}
                </pre>
              </details>
            </>
          ) : (
            <SqlEditor
              sql={sql}
              onChange={(text) => {
                setSql(text);
                setServerSqlError(undefined);
                changed();
              }}
              error={sqlError}
              status={compiled?.ok ? `Compiles: ${describeDefinition(compiled.definition)}` : undefined}
              disabled={builtin}
            />
          )}
        </EditorTabs>
      </section>

      <PreviewPanel
        windowSite={form.site}
        sites={sites}
        aggregateNames={definition?.aggregates.map((a) => a.name) ?? []}
        run={runPreview}
      />

      {builtin ? null : (
        <SaveSection
          base={base}
          creating={existing === undefined}
          version={version}
          semanticChange={semanticChange}
          start={start}
          onStart={setStart}
          saving={saving}
          error={saveError}
          saved={saved}
          onSave={save}
        />
      )}
    </>
  );
}
