'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';

const sitesResponseSchema = z.object({
  sites: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      domain: z.string().optional(),
      allowedOrigins: z.array(z.string()),
      respectDnt: z.boolean(),
    }),
  ),
});

type Site = z.infer<typeof sitesResponseSchema>['sites'][number];
type State =
  | { status: 'loading' }
  | { status: 'ready'; sites: Site[] }
  | { status: 'error'; message: string };

function snippetFor(origin: string, site: Site): string {
  return `<script defer src="${origin}/js/script.js" data-site="${site.id}"></script>`;
}

export function SiteList() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [origin, setOrigin] = useState('');

  useEffect(() => {
    setOrigin(window.location.origin);
    const controller = new AbortController();
    fetch('/api/sites', { cache: 'no-store', signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
        const parsed = sitesResponseSchema.safeParse(await response.json());
        if (!parsed.success) throw new Error('unexpected response from /api/sites');
        setState({ status: 'ready', sites: parsed.data.sites });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', message: String(error) });
      });
    return () => controller.abort();
  }, []);

  if (state.status === 'loading') return <p className="empty">Loading sites…</p>;
  if (state.status === 'error') return <p className="alert">Could not load the sites: {state.message}</p>;
  if (state.sites.length === 0) return <p className="empty">No sites yet.</p>;
  return (
    <div data-testid="site-list">
      {state.sites.map((site) => (
        <section key={site.id} className="panel" data-testid={`site-${site.id}`}>
          <div className="panel-header">
            <h2 className="panel-title">
              {site.name} <span className="mono">({site.id})</span>
            </h2>
          </div>
          <pre className="mono">{snippetFor(origin, site)}</pre>
          <p>
            Allowed origins:{' '}
            {site.allowedOrigins.length > 0
              ? site.allowedOrigins.join(', ')
              : 'this server only (add your site’s origin)'}
            {' · '}
            Do Not Track: {site.respectDnt ? 'honoured' : 'ignored (anonymous counts only)'}
          </p>
        </section>
      ))}
    </div>
  );
}
