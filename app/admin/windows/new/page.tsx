import type { Metadata } from 'next';
import { WindowEditor } from '../../components/windows/window-editor';

export const metadata: Metadata = { title: 'New window · Riffle admin' };

export default function NewWindow() {
  return <WindowEditor />;
}
