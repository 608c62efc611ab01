// Counts what each consumer group's deliveries came to, from the runtimes' `delivered` events:
// handled, skipped as duplicates by the inbox, failed and retried, dead-lettered. Follows a
// service across restarts (each new runtime is attached again).

import type { KeelRuntime } from '@keel/tx';
import type { DeliveryCounts } from '../scenario/report';

type MutableCounts = { -readonly [K in keyof DeliveryCounts]: DeliveryCounts[K] };

export class DeliveryCounter {
  readonly #byGroup = new Map<string, MutableCounts>();

  attach(runtime: KeelRuntime): void {
    runtime.events.on('delivered', (event) => {
      const counts = this.#countsOf(event.group);
      if (event.outcome === 'handled') counts.handled += 1;
      else if (event.outcome === 'duplicate') counts.duplicates += 1;
      else if (event.next === 'dead-letter') counts.deadLettered += 1;
      else counts.retried += 1;
    });
  }

  snapshot(): ReadonlyMap<string, DeliveryCounts> {
    return new Map([...this.#byGroup].map(([group, counts]) => [group, { ...counts }]));
  }

  #countsOf(group: string): MutableCounts {
    let counts = this.#byGroup.get(group);
    if (counts === undefined) {
      counts = { handled: 0, duplicates: 0, retried: 0, deadLettered: 0 };
      this.#byGroup.set(group, counts);
    }
    return counts;
  }
}
