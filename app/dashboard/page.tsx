import { redirect } from 'next/navigation';

/** `/dashboard` without a site: the site picker is the home page. */
export default function DashboardIndex() {
  redirect('/');
}
