import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { Dashboard } from '../components/dashboard';
import { DashboardSkeleton } from '../components/skeleton-page';
import { SITE_ID_PATTERN } from '../model/schemas';

interface Props {
  params: Promise<{ site: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { site } = await params;
  return { title: `${site} · Riffle` };
}

/** `/dashboard/<site>`: the live dashboard. Filters and period are in the query string. */
export default async function DashboardPage({ params }: Props) {
  const { site } = await params;
  if (!SITE_ID_PATTERN.test(site)) notFound();
  return (
    <Suspense fallback={<DashboardSkeleton />}>
      <Dashboard site={site} />
    </Suspense>
  );
}
