// Keel's decorators. @OnMessage and @OnDeadLetter only record what they were given; the runtime
// validates the records at start (validate-metadata.ts) and acts on them. @Transactional() also
// records, and wraps the method in a transaction on the DataSource its instance is bound to
// (transactional-call.ts), looked up at call time. A decorator in the wrong place (a property, an
// accessor) is recorded as such for the validator to name, rather than throwing while a module is
// being loaded.

import type { OnDeadLetterOptions, OnMessageOptions, TransactionalOptions } from './handler-options';
import { describeMember, getKeelMetadataStorage } from './metadata-storage';
import { TransactionalMethod } from './transactional-call';

type AsyncMethod = (...args: never[]) => Promise<unknown>;
type AnyMethod = (...args: never[]) => unknown;

/** Copies options so later changes to the caller's object cannot change what was recorded. */
function snapshot<T>(options: T): T {
  return typeof options === 'object' && options !== null ? (Object.freeze({ ...options }) as T) : options;
}

/**
 * Runs the method in a Keel transaction (joining an open one). The method must return a promise:
 * the transaction commits when it settles.
 */
export function Transactional(
  options: TransactionalOptions = {},
): <M extends AsyncMethod>(
  target: object,
  member: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void {
  return <M extends AsyncMethod>(
    target: object,
    member: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ) => {
    const recorded = snapshot(options);
    const where = describeMember(target, member, descriptor);
    getKeelMetadataStorage().add({ kind: 'transactional', ...where, options: recorded });
    if (!where.isMethod) return;
    const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
    const transactional = new TransactionalMethod(`${where.className}.${String(member)}`, recorded.isolation);
    // Async, so a missing runtime is a rejection like every other failure of the call.
    const wrapped = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      return transactional.call(this, async () => original.apply(this, args));
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    descriptor.value = wrapped as unknown as M;
  };
}

/** Marks the method as the handler of `topic` for consumer `group`; records data only. */
export function OnMessage(
  options: OnMessageOptions,
): <M extends AnyMethod>(
  target: object,
  member: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void {
  return (target, member, descriptor) => {
    getKeelMetadataStorage().add({
      kind: 'message',
      ...describeMember(target, member, descriptor),
      options: snapshot(options),
    });
  };
}

/** Marks the method as the receiver of `group`'s dead letters; records data only. */
export function OnDeadLetter(
  options: OnDeadLetterOptions,
): <M extends AnyMethod>(
  target: object,
  member: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void {
  return (target, member, descriptor) => {
    getKeelMetadataStorage().add({
      kind: 'dead-letter',
      ...describeMember(target, member, descriptor),
      options: snapshot(options),
    });
  };
}
