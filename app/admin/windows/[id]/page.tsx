import type { Metadata } from 'next';
import { WindowEditor } from '../../components/windows/window-editor';

export const metadata: Metadata = { title: 'Edit window · Riffle admin' };

export default async function EditWindow({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <WindowEditor key={id} editId={id} />;
}
