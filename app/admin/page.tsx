import type { Metadata } from 'next';
import { SitesPage } from './components/sites/sites-page';

export const metadata: Metadata = { title: 'Sites · Riffle admin' };

/** The admin home: the sites. */
export default function AdminHome() {
  return <SitesPage />;
}
