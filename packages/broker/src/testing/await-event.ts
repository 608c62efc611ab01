// Waiting for something to happen in a test. Prefer awaitEvent: it resumes the moment the event
// fires and fails with the event's name. waitFor polls, for state that announces no event.

import { EventEmitter } from 'node:events';
import { sleep, systemClock, type Clock } from '../common/clock';
import { TimeoutError } from '../common/errors';
import type { TypedEmitter } from '../common/typed-emitter';

export interface AwaitEventOptions<P> {
  readonly timeoutMs: number;
  /** Skips events until one whose payload matches. */
  readonly predicate?: (payload: P) => boolean;
  /** Times the timeout; a FakeClock makes it fire only when the test advances the clock. */
  readonly clock?: Clock;
}

type AnyListener = (payload: unknown) => void;

/** What awaitEvent needs of an emitter; both TypedEmitter and Node's EventEmitter have it. */
interface Subscribable {
  on(event: PropertyKey, listener: AnyListener): unknown;
  off(event: PropertyKey, listener: AnyListener): unknown;
}

/**
 * Resolves with the payload of the first `event` that passes `predicate`, or rejects with a
 * TimeoutError naming the event after `timeoutMs`. For a Node EventEmitter the payload is the
 * first argument, and an 'error' event rejects at once (like events.once) instead of leaving the
 * test to time out. A predicate that throws rejects with its error.
 */
export function awaitEvent<E extends object, K extends keyof E>(
  emitter: TypedEmitter<E>,
  event: K,
  options: AwaitEventOptions<E[K]>,
): Promise<E[K]>;
export function awaitEvent(
  emitter: EventEmitter,
  event: string | symbol,
  options: AwaitEventOptions<unknown>,
): Promise<unknown>;
export function awaitEvent(
  emitter: Subscribable,
  event: PropertyKey,
  options: AwaitEventOptions<unknown>,
): Promise<unknown> {
  const clock = options.clock ?? systemClock;
  const watchErrors = emitter instanceof EventEmitter && event !== 'error';
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void) => {
      clock.clearTimeout(timer);
      emitter.off(event, onEvent);
      if (watchErrors) emitter.off('error', onError);
      settle();
    };
    const onEvent: AnyListener = (payload) => {
      try {
        if (options.predicate !== undefined && !options.predicate(payload)) return;
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      finish(() => resolve(payload));
    };
    const onError: AnyListener = (error) => finish(() => reject(error));
    const timer = clock.setTimeout(() => {
      finish(() => reject(new TimeoutError(`waiting for event '${String(event)}'`, options.timeoutMs)));
    }, options.timeoutMs);
    emitter.on(event, onEvent);
    if (watchErrors) emitter.on('error', onError);
  });
}

export interface WaitForOptions {
  readonly timeoutMs: number;
  /** Pause between checks; 10 ms by default. */
  readonly intervalMs?: number;
  readonly clock?: Clock;
  /** Names what is awaited in the TimeoutError, e.g. 'consumer offset 42 committed'. */
  readonly description?: string;
}

type Ready<T> = Exclude<T, undefined | null | false>;

/**
 * Checks `condition` until it returns something other than undefined, null or false, and resolves
 * with that; rejects with a TimeoutError after `timeoutMs`. A condition that throws rejects at once:
 * retrying would hide the bug behind a timeout. Prefer awaitEvent when an event exists.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Ready<T>> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value as Ready<T>;
    const remainingMs = deadline - clock.now();
    if (remainingMs <= 0) {
      throw new TimeoutError(`waiting for ${options.description ?? 'condition'}`, options.timeoutMs);
    }
    await sleep(clock, Math.min(options.intervalMs ?? 10, remainingMs));
  }
}
