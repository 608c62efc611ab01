// Start-up validation of decorator metadata: every problem found, each naming the class and the
// method, in one error; or, when there is none, the handlers resolved to plain values with their
// defaults filled in, for the runtime to subscribe.

import { closestMatch } from '@keel/broker';
import { TxError, TxErrorCodes } from '../errors';
import {
  HANDLER_DEFAULTS,
  onDeadLetterOptionProblems,
  onMessageOptionProblems,
  transactionalOptionProblems,
  type IdempotencyKeySource,
} from './handler-options';
import {
  getKeelMetadataStorage,
  type DeadLetterHandlerEntry,
  type KeelMetadataEntry,
  type KeelMetadataStorage,
  type MessageHandlerEntry,
} from './metadata-storage';
import { classNameOf } from './class-name';

export interface MetadataProblem {
  /** `Class.method`, or `handlers[2]` for an argument that is not a handler object. */
  readonly where: string;
  readonly message: string;
}

export class KeelMetadataError extends TxError {
  readonly problems: readonly MetadataProblem[];

  constructor(problems: readonly MetadataProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  ${problem.where}: ${problem.message}`);
    super(TxErrorCodes.METADATA_INVALID, [`Invalid Keel decorators (${count}):`, ...lines].join('\n'));
    this.problems = Object.freeze([...problems]);
  }
}

interface HandlerCommon {
  readonly instance: object;
  readonly className: string;
  readonly method: string | symbol;
  /** Calls the method on its instance. */
  readonly invoke: (...args: unknown[]) => unknown;
}

export interface ResolvedMessageHandler extends HandlerCommon {
  readonly topic: string;
  readonly group: string;
  readonly tag: string;
  readonly orderly: boolean;
  readonly maxRetries: number;
  readonly idempotencyKey: IdempotencyKeySource;
  readonly nonRetriable: ((error: unknown) => boolean) | undefined;
}

export interface ResolvedDeadLetterHandler extends HandlerCommon {
  readonly group: string;
  readonly topic: string | undefined;
}

export interface ValidatedKeelMetadata {
  readonly messageHandlers: readonly ResolvedMessageHandler[];
  readonly deadLetterHandlers: readonly ResolvedDeadLetterHandler[];
}

export interface ValidateOptions {
  /** Default: the current storage (see withKeelMetadataStorage). */
  readonly storage?: KeelMetadataStorage;
}

type HandlerEntry = MessageHandlerEntry | DeadLetterHandlerEntry;

const DECORATOR_NAMES: Record<KeelMetadataEntry['kind'], string> = {
  transactional: '@Transactional()',
  message: '@OnMessage',
  'dead-letter': '@OnDeadLetter',
};

/** Checks the decorators of `handlers` (instances) and every @Transactional(); throws KeelMetadataError. */
export function validateKeelMetadata(
  handlers: readonly unknown[],
  options: ValidateOptions = {},
): ValidatedKeelMetadata {
  const storage = options.storage ?? getKeelMetadataStorage();
  const problems: MetadataProblem[] = [];
  const messageHandlers: ResolvedMessageHandler[] = [];
  const deadLetterHandlers: ResolvedDeadLetterHandler[] = [];

  for (const entry of storage.entries) {
    if (entry.kind !== 'transactional') continue;
    problems.push(
      ...placementProblems(entry),
      ...prefixed(entry, transactionalOptionProblems(entry.options)),
    );
  }

  const seen = new Set<object>();
  handlers.forEach((instance, index) => {
    const argumentProblem = handlerArgumentProblem(instance, seen);
    if (argumentProblem !== undefined) {
      problems.push({ where: `handlers[${index}]`, message: argumentProblem });
      return;
    }
    const handlerObject = instance as object;
    seen.add(handlerObject);
    const entries = handlerEntriesOf(handlerObject, storage);
    if (entries.length === 0) {
      problems.push({
        where: `handlers[${index}]`,
        message: `${classNameOf(handlerObject) ?? 'the object'} has no @OnMessage or @OnDeadLetter method; was the right object passed?`,
      });
    }
    problems.push(...bothKindsProblems(entries));
    for (const entry of entries) {
      const entryProblems = [
        ...placementProblems(entry),
        ...prefixed(
          entry,
          entry.kind === 'message'
            ? onMessageOptionProblems(entry.options)
            : onDeadLetterOptionProblems(entry.options),
        ),
      ];
      problems.push(...entryProblems);
      if (entryProblems.length > 0) continue;
      if (entry.kind === 'message') messageHandlers.push(resolveMessageHandler(handlerObject, entry));
      else deadLetterHandlers.push(resolveDeadLetterHandler(handlerObject, entry));
    }
  });

  problems.push(...crossHandlerProblems(messageHandlers, deadLetterHandlers));
  if (problems.length > 0) throw new KeelMetadataError(problems);
  return { messageHandlers, deadLetterHandlers };
}

function handlerArgumentProblem(instance: unknown, seen: ReadonlySet<object>): string | undefined {
  if (typeof instance === 'function') {
    const name = (instance as { name?: unknown }).name;
    return `is the class ${typeof name === 'string' && name !== '' ? name : '<anonymous>'}, not an instance; pass new ${String(name)}(...)`;
  }
  if (typeof instance !== 'object' || instance === null) {
    return `is ${String(instance)}; pass instances of classes with @OnMessage or @OnDeadLetter methods`;
  }
  if (seen.has(instance)) return `${classNameOf(instance) ?? 'the object'} instance is passed twice`;
  return undefined;
}

/**
 * The handler entries that apply to `instance`: those of its class and its ancestors, where a
 * subclass's own decorators replace its parent's for the same method (an override).
 */
function handlerEntriesOf(instance: object, storage: KeelMetadataStorage): HandlerEntry[] {
  const entries: HandlerEntry[] = [];
  const decided = new Set<string | symbol>();
  for (
    let owner = Object.getPrototypeOf(instance) as object | null;
    owner !== null;
    owner = Object.getPrototypeOf(owner) as object | null
  ) {
    const own = storage
      .entriesOf(owner)
      .filter((entry): entry is HandlerEntry => entry.kind !== 'transactional');
    for (const entry of own) if (!decided.has(entry.member)) entries.push(entry);
    for (const entry of own) decided.add(entry.member);
  }
  // Static handler entries live on the class, not the prototype chain; report them too.
  const constructor = (instance as { constructor?: unknown }).constructor;
  if (typeof constructor === 'function') {
    entries.push(
      ...storage
        .entriesOf(constructor)
        .filter((entry): entry is HandlerEntry => entry.kind !== 'transactional'),
    );
  }
  return entries;
}

function placementProblems(entry: KeelMetadataEntry): MetadataProblem[] {
  const name = DECORATOR_NAMES[entry.kind];
  if (!entry.isMethod) {
    return [{ where: whereOf(entry), message: `${name} is on a property or accessor; put it on a method` }];
  }
  if (entry.isStatic && entry.kind !== 'transactional') {
    return [
      { where: whereOf(entry), message: `${name} is on a static method; handlers are instance methods` },
    ];
  }
  return [];
}

function bothKindsProblems(entries: readonly HandlerEntry[]): MetadataProblem[] {
  const kindsByMember = new Map<string | symbol, Set<string>>();
  for (const entry of entries) {
    const kinds = kindsByMember.get(entry.member) ?? new Set();
    kinds.add(entry.kind);
    kindsByMember.set(entry.member, kinds);
  }
  return entries
    .filter((entry) => entry.kind === 'dead-letter' && kindsByMember.get(entry.member)?.size === 2)
    .map((entry) => ({
      where: whereOf(entry),
      message: 'has both @OnMessage and @OnDeadLetter; a dead-letter receiver must be a method of its own',
    }));
}

function crossHandlerProblems(
  messageHandlers: readonly ResolvedMessageHandler[],
  deadLetterHandlers: readonly ResolvedDeadLetterHandler[],
): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const byGroupTopic = new Map<string, ResolvedMessageHandler>();
  const modeByGroup = new Map<string, ResolvedMessageHandler>();
  for (const handler of messageHandlers) {
    const key = `${handler.group}\u0000${handler.topic}`;
    const first = byGroupTopic.get(key);
    if (first !== undefined) {
      problems.push({
        where: labelOf(handler),
        message:
          `handles topic ${handler.topic} in group ${handler.group}, as ${labelOf(first)} already does; ` +
          'a group delivers each message to one handler: merge them or give one its own group',
      });
    } else {
      byGroupTopic.set(key, handler);
    }
    const other = modeByGroup.get(handler.group);
    if (other === undefined) {
      modeByGroup.set(handler.group, handler);
    } else if (other.orderly !== handler.orderly) {
      problems.push({
        where: labelOf(handler),
        message:
          `is ${mode(handler)} but ${labelOf(other)} in group ${handler.group} is ${mode(other)}; a ` +
          'consumer group consumes one way: make them agree or use two groups',
      });
    }
  }
  const deadLetterKeys = new Map<string, ResolvedDeadLetterHandler>();
  for (const handler of deadLetterHandlers) {
    const key = `${handler.group}\u0000${handler.topic ?? '*'}`;
    const first = deadLetterKeys.get(key);
    if (first !== undefined) {
      problems.push({
        where: labelOf(handler),
        message: `receives the dead letters of group ${handler.group}${topicText(handler)}, as ${labelOf(first)} already does`,
      });
      continue;
    }
    deadLetterKeys.set(key, handler);
    if (!modeByGroup.has(handler.group)) {
      const suggestion = closestMatch(handler.group, modeByGroup.keys());
      problems.push({
        where: labelOf(handler),
        message:
          `receives dead letters of group ${handler.group}, which has no @OnMessage handler here, so it ` +
          `would never be called${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`,
      });
    } else if (handler.topic !== undefined && !byGroupTopic.has(`${handler.group}\u0000${handler.topic}`)) {
      problems.push({
        where: labelOf(handler),
        message: `receives dead letters of topic ${handler.topic}, which no @OnMessage handler of group ${handler.group} consumes`,
      });
    }
  }
  return problems;
}

function resolveMessageHandler(instance: object, entry: MessageHandlerEntry): ResolvedMessageHandler {
  const { options } = entry;
  return Object.freeze({
    ...common(instance, entry),
    topic: options.topic,
    group: options.group,
    tag: options.tag ?? HANDLER_DEFAULTS.tag,
    orderly: options.orderly ?? HANDLER_DEFAULTS.orderly,
    maxRetries: options.maxRetries ?? HANDLER_DEFAULTS.maxRetries,
    idempotencyKey: options.idempotencyKey ?? HANDLER_DEFAULTS.idempotencyKey,
    nonRetriable: options.nonRetriable,
  });
}

function resolveDeadLetterHandler(
  instance: object,
  entry: DeadLetterHandlerEntry,
): ResolvedDeadLetterHandler {
  return Object.freeze({
    ...common(instance, entry),
    group: entry.options.group,
    topic: entry.options.topic,
  });
}

function common(instance: object, entry: HandlerEntry): HandlerCommon {
  // The instance's own method (after any override), read now and bound to it.
  const method = (instance as Record<string | symbol, unknown>)[entry.member] as (
    ...args: unknown[]
  ) => unknown;
  return {
    instance,
    className: entry.className,
    method: entry.member,
    invoke: (...args: unknown[]) => method.apply(instance, args),
  };
}

function prefixed(entry: KeelMetadataEntry, messages: readonly string[]): MetadataProblem[] {
  return messages.map((message) => ({
    where: whereOf(entry),
    message: `${DECORATOR_NAMES[entry.kind]} ${message}`,
  }));
}

function whereOf(entry: KeelMetadataEntry): string {
  return `${entry.className}.${String(entry.member)}`;
}

function labelOf(handler: HandlerCommon): string {
  return `${handler.className}.${String(handler.method)}`;
}

function mode(handler: ResolvedMessageHandler): string {
  return handler.orderly ? 'orderly' : 'concurrent';
}

function topicText(handler: ResolvedDeadLetterHandler): string {
  return handler.topic === undefined ? '' : ` from topic ${handler.topic}`;
}
