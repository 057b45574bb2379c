import type { Metadata } from 'next';
import { HealthPage } from '../components/health/health-page';

export const metadata: Metadata = { title: 'Pipeline health · Riffle admin' };

export default function AdminHealth() {
  return <HealthPage />;
}
