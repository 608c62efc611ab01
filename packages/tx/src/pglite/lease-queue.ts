// Exclusive, first-come-first-served use of one PGlite session.
//
// PGlite is one PostgreSQL backend: one session, one transaction at a time. PGlite's own mutex
// only serialises single statements, so two TypeORM transactions on one instance would interleave
// their statements inside one transaction. A lease makes a whole connection checkout exclusive:
// whoever holds it owns the session until it releases; everyone else waits in arrival order.
//
// There is one queue per PGlite instance, not per pool: TypeORM creates a pool per DataSource, and
// two DataSources on one instance must still take turns.

export class LeaseQueue {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Callers waiting for the lease (not counting the holder). */
  get waitingCount(): number {
    return this.#waiters.length;
  }

  get isHeld(): boolean {
    return this.#held;
  }

  /** Resolves when the caller holds the lease; it must call `release` exactly once afterwards. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  /** Hands the lease straight to the next waiter (so no newcomer can jump the queue), or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) {
      this.#held = false;
    } else {
      next();
    }
  }
}

// Weak, so a closed and forgotten PGlite instance takes its queue with it.
const queues = new WeakMap<object, LeaseQueue>();

/** The queue of one PGlite instance, shared by every pool that wraps it. */
export function leaseQueueFor(session: object): LeaseQueue {
  let queue = queues.get(session);
  if (queue === undefined) {
    queue = new LeaseQueue();
    queues.set(session, queue);
  }
  return queue;
}
