// Where decorators record what they saw: plain data, one entry per decorated member. Nothing
// here validates or acts; validateKeelMetadata reads the entries at start (TypeORM's
// getMetadataArgsStorage → builder → validator split).
//
// Decorators run when a class is defined, so a test that defines classes inside
// withKeelMetadataStorage(new KeelMetadataStorage(), () => ...) gets them recorded in its own
// storage, leaving the process-wide one alone.

import type { OnDeadLetterOptions, OnMessageOptions, TransactionalOptions } from './handler-options';

/** Where a decorator was applied. */
export interface DecoratedMember {
  /** The prototype for instance members, the class itself for static ones. */
  readonly owner: object;
  readonly className: string;
  readonly member: string | symbol;
  readonly isStatic: boolean;
  /** False when the decorator sat on a property or an accessor rather than a method. */
  readonly isMethod: boolean;
}

export interface TransactionalEntry extends DecoratedMember {
  readonly kind: 'transactional';
  readonly options: TransactionalOptions;
}

export interface MessageHandlerEntry extends DecoratedMember {
  readonly kind: 'message';
  readonly options: OnMessageOptions;
}

export interface DeadLetterHandlerEntry extends DecoratedMember {
  readonly kind: 'dead-letter';
  readonly options: OnDeadLetterOptions;
}

export type KeelMetadataEntry = TransactionalEntry | MessageHandlerEntry | DeadLetterHandlerEntry;

export class KeelMetadataStorage {
  readonly #entries: KeelMetadataEntry[] = [];

  get entries(): readonly KeelMetadataEntry[] {
    return [...this.#entries];
  }

  add(entry: KeelMetadataEntry): void {
    this.#entries.push(Object.freeze(entry));
  }

  /** Entries recorded on exactly this prototype (or class, for statics). */
  entriesOf(owner: object): KeelMetadataEntry[] {
    return this.#entries.filter((entry) => entry.owner === owner);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

let current = new KeelMetadataStorage();

/** The storage decorators record into now. */
export function getKeelMetadataStorage(): KeelMetadataStorage {
  return current;
}

/** Runs `define` (which defines decorated classes) with `storage` as the current storage. */
export function withKeelMetadataStorage<T>(storage: KeelMetadataStorage, define: () => T): T {
  const previous = current;
  current = storage;
  try {
    return define();
  } finally {
    current = previous;
  }
}

/** @internal The DecoratedMember fields for a decorator's arguments. */
export function describeMember(
  target: object,
  member: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): DecoratedMember {
  const isStatic = typeof target === 'function';
  const constructorName = isStatic
    ? (target as { name?: unknown }).name
    : (target as { constructor?: { name?: unknown } }).constructor?.name;
  return {
    owner: target,
    className:
      typeof constructorName === 'string' && constructorName !== '' ? constructorName : '<anonymous class>',
    member,
    isStatic,
    isMethod: descriptor !== undefined && typeof descriptor.value === 'function',
  };
}
