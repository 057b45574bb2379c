'use client';

import { useState } from 'react';

/**
 * The snippet reports the click itself, as a `subscribe_click` event (from `data-riffle-event`); this only
 * acknowledges it. The id makes the snippet's selector for it `#subscribe`.
 */
export function SubscribeButton() {
  const [subscribed, setSubscribed] = useState(false);
  return (
    <div className="shop-subscribe">
      <button
        type="button"
        id="subscribe"
        className="button"
        data-riffle-event="subscribe_click"
        data-testid="subscribe"
        onClick={() => setSubscribed(true)}
      >
        Subscribe to offers
      </button>
      {subscribed ? (
        <p role="status" className="shop-notice">
          You’re on the list — in a real shop, offers would follow. (This demo sends nothing.)
        </p>
      ) : null}
    </div>
  );
}
