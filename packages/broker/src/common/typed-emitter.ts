// A small event emitter typed by an event map `{ eventName: Payload }` (use `void` for events
// without one). One payload per event rather than Node's argument lists: it can be awaited as a
// value (see testing/awaitEvent) and grows by adding fields instead of positional arguments.
//
// Listeners run synchronously in registration order over a snapshot, so a listener that adds or
// removes listeners affects the next emit, not the current one.
//
// A listener that throws never stops the others. With an `onListenerError` option each error goes
// there (e.g. log with context and count). Without it, `emit` rethrows once every listener has run:
// the error itself if one failed, an AggregateError if several did. A listener's rejected promise
// goes to `onListenerError` too; without it, it is left to the process's unhandled-rejection
// handling rather than being swallowed.

/** Returns nothing, or a promise whose rejection is reported (see above); other results are ignored. */
export type Listener<P> = (payload: P) => unknown;

/** `emit('closed')` for a void payload, `emit('message', msg)` otherwise. */
export type EmitArgs<P> = [P] extends [void] ? [] : [payload: P];

export interface TypedEmitterOptions<E> {
  readonly onListenerError?: (error: unknown, event: keyof E) => void;
}

interface Registration<P> {
  readonly listener: Listener<P>;
  readonly once: boolean;
}

export class TypedEmitter<E extends object> {
  // Keyed by event; each list holds registrations for that event's payload type (see #list).
  readonly #registrations = new Map<keyof E, Registration<never>[]>();
  readonly #onListenerError: ((error: unknown, event: keyof E) => void) | undefined;

  constructor(options: TypedEmitterOptions<E> = {}) {
    this.#onListenerError = options.onListenerError;
  }

  /** Adds a listener; returns a function that removes exactly this registration. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    return this.#add(event, { listener, once: false });
  }

  /** Adds a listener removed before its first call. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    return this.#add(event, { listener, once: true });
  }

  /** Removes the most recent registration of `listener` for `event` (as Node does), if any. */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.#list(event);
    const index = list.findLastIndex((r) => r.listener === listener);
    if (index >= 0) this.#remove(event, list[index]);
  }

  /** Calls every listener of `event`; returns whether there was any. */
  emit<K extends keyof E>(event: K, ...args: EmitArgs<E[K]>): boolean {
    const snapshot = [...this.#list(event)];
    // EmitArgs is [] only when the payload type is void, so args[0] is the payload either way.
    const payload = args[0] as E[K];
    const errors: unknown[] = [];
    for (const registration of snapshot) {
      if (registration.once) this.#remove(event, registration);
      try {
        const result = registration.listener(payload);
        if (result instanceof Promise && this.#onListenerError !== undefined) {
          const report = this.#onListenerError;
          result.catch((error: unknown) => report(error, event));
        }
      } catch (error) {
        if (this.#onListenerError === undefined) errors.push(error);
        else this.#onListenerError(error, event);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new AggregateError(errors, `${errors.length} listeners of '${String(event)}' threw`);
    }
    return snapshot.length > 0;
  }

  listenerCount(event: keyof E): number {
    return this.#registrations.get(event)?.length ?? 0;
  }

  /** Removes the listeners of one event, or of all events. */
  removeAllListeners(event?: keyof E): void {
    if (event === undefined) this.#registrations.clear();
    else this.#registrations.delete(event);
  }

  #add<K extends keyof E>(event: K, registration: Registration<E[K]>): () => void {
    const list = this.#list(event);
    list.push(registration);
    this.#registrations.set(event, list);
    return () => this.#remove(event, registration);
  }

  #remove<K extends keyof E>(event: K, registration: Registration<E[K]> | undefined): void {
    const list = this.#registrations.get(event);
    const index = list === undefined || registration === undefined ? -1 : list.indexOf(registration);
    if (list === undefined || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.#registrations.delete(event);
  }

  // Only #add stores into the list of `event`, always with `E[event]` payloads, so this view is
  // exact; the map itself cannot say so because its value type cannot depend on its key.
  #list<K extends keyof E>(event: K): Registration<E[K]>[] {
    return (this.#registrations.get(event) ?? []) as Registration<E[K]>[];
  }
}
