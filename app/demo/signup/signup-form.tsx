'use client';

import { type FormEvent, useState } from 'react';
import { PLANS, type PlanValue } from '../catalogue';

function isPlan(value: unknown): value is PlanValue {
  return PLANS.some((plan) => plan.value === value);
}

/**
 * Reports a `signup` custom event with the chosen plan. The email never leaves the browser: it is not sent
 * to Riffle (the event carries only the plan) nor anywhere else.
 */
export function SignupForm() {
  const [signedUpPlan, setSignedUpPlan] = useState<PlanValue | undefined>();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const plan = new FormData(event.currentTarget).get('plan');
    if (!isPlan(plan)) return;
    window.riffle?.('signup', { props: { plan } });
    setSignedUpPlan(plan);
  }

  if (signedUpPlan) {
    const label = PLANS.find((plan) => plan.value === signedUpPlan)?.label ?? signedUpPlan;
    return (
      <p role="status" className="shop-notice" data-testid="signup-thanks">
        Thanks for signing up for the {label} plan! This is a demo shop: your email was not sent anywhere.
      </p>
    );
  }

  return (
    <form className="shop-form" id="signup-form" onSubmit={onSubmit} data-testid="signup-form">
      <label className="shop-field">
        <span>Email</span>
        <input type="email" name="email" required autoComplete="email" placeholder="you@example.com" />
      </label>
      <label className="shop-field">
        <span>Plan</span>
        <select name="plan" defaultValue="monthly">
          {PLANS.map((plan) => (
            <option key={plan.value} value={plan.value}>
              {plan.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button" data-testid="signup-submit">
        Sign up
      </button>
    </form>
  );
}
