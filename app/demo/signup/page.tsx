import type { Metadata } from 'next';
import { PAGE_TITLES } from '../catalogue';
import { SignupForm } from './signup-form';

export const metadata: Metadata = { title: PAGE_TITLES.signup };

export default function SignupPage() {
  return (
    <>
      <h1 className="shop-page-title">Sign up for a subscription</h1>
      <p className="shop-lead">Fresh coffee on your doorstep, on your schedule. Pause or cancel any time.</p>
      <SignupForm />
    </>
  );
}
