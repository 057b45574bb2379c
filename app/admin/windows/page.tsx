import type { Metadata } from 'next';
import { WindowsPage } from '../components/windows/windows-page';

export const metadata: Metadata = { title: 'Windows · Riffle admin' };

export default function AdminWindows() {
  return <WindowsPage />;
}
