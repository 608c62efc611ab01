// Shipping: its own consumer group, reacting to paid orders. It learns of them only from
// order-status events, never by reading the order tables, so it could move to a database of its
// own by giving it another DataSource (it shares the order service's today; see docs/example.md).

import type { Clock } from '@keel/broker';
import { OnMessage, type Delivered } from '@keel/tx';
import { parseOrderStatusChanged } from '../events/order-events';
import { Groups, Topics } from '../events/topics';
import { selectRows } from '../infra/sql';

export class ShippingHandlers {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  @OnMessage({ topic: Topics.orderStatus, group: Groups.shipping, tag: 'PAID', orderly: true, maxRetries: 5 })
  async onOrderPaid(message: Delivered<unknown>): Promise<void> {
    const event = parseOrderStatusChanged(message.body);
    if (event.status !== 'PAID') return; // the tag filter lets only PAID through; this is belt and braces
    // The inbox already stops redeliveries; the key stops a second shipment even for a copy of the
    // event that arrived under another message id (a re-publish, a DLQ resend of an old copy).
    await selectRows(
      `INSERT INTO shipments (order_id, user_id, sku, qty, created_at_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id) DO NOTHING`,
      [event.orderId, event.userId, event.sku, event.qty, this.#clock.now()],
    );
  }
}
