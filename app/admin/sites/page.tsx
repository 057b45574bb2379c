import type { Metadata } from 'next';
import { SitesPage } from '../components/sites/sites-page';

export const metadata: Metadata = { title: 'Sites · Riffle admin' };

export default function AdminSites() {
  return <SitesPage />;
}
