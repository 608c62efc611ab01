// Duplicate-delivery injection: hands a message to a runtime's handlers again, exactly as a broker
// redelivery would reach them (same msgId, same inbox key), so a test can show that its handler
// has one effect however often a message arrives, one after another or at the same time.

import type { MessageExt } from '@keel/broker/client';
import type { Delivered } from '../handlers/delivered';
import type { DeliveryResult } from '../handlers/delivery-runner';
import { messageTargetOf } from '../handlers/group-consumers';
import type { KeelRuntime } from '../runtime/keel-runtime';
import { internalsOf } from '../runtime/runtime-internals';

/**
 * Delivers `message` (a Delivered or the broker's MessageExt) again to every handler of its topic
 * in this runtime (or of `group` only), `copies` times at once. Resolves with each result.
 */
export async function deliverAgain(
  runtime: KeelRuntime,
  message: Delivered | MessageExt,
  options: { readonly group?: string; readonly copies?: number } = {},
): Promise<DeliveryResult[]> {
  const { runner, messageHandlers } = internalsOf(runtime);
  const raw = 'raw' in message ? message.raw : message;
  const handlers = messageHandlers.filter(
    (handler) =>
      handler.topic === raw.topic && (options.group === undefined || handler.group === options.group),
  );
  if (handlers.length === 0) {
    const where = options.group === undefined ? '' : ` in group ${options.group}`;
    throw new TypeError(`deliverAgain: no handler of topic ${raw.topic}${where} in this runtime`);
  }
  const copies = options.copies ?? 1;
  return Promise.all(
    handlers.flatMap((handler) =>
      Array.from({ length: copies }, () => runner.deliver(messageTargetOf(handler), raw, raw.reconsumeTimes)),
    ),
  );
}

/**
 * From now on every delivery to a message handler is accompanied by `copies` duplicates, started
 * while it runs (`concurrent`, the default: they race it for the inbox row) or after it finished.
 * Returns the function that stops it.
 */
export function duplicateEveryDelivery(
  runtime: KeelRuntime,
  options: { readonly copies?: number; readonly concurrent?: boolean } = {},
): () => void {
  const copies = options.copies ?? 1;
  const { runner, messageHandlers } = internalsOf(runtime);
  // The copies share the original's message object; they must not be duplicated in turn.
  const duplicated = new WeakSet<MessageExt>();
  const duplicate = (group: string, handlerLabel: string, raw: MessageExt) => {
    if (duplicated.has(raw)) return;
    duplicated.add(raw);
    const handler = messageHandlers.find(
      (candidate) =>
        candidate.group === group && `${candidate.className}.${String(candidate.method)}` === handlerLabel,
    );
    if (handler === undefined) return; // a dead-letter receiver
    for (let copy = 0; copy < copies; copy++) {
      // DeliveryRunner.deliver never rejects: every failure is an outcome (and an event).
      void runner.deliver(messageTargetOf(handler), raw, raw.reconsumeTimes);
    }
  };
  if (options.concurrent ?? true) {
    return runtime.events.on('deliveryStarted', (event) => duplicate(event.group, event.handler, event.raw));
  }
  return runtime.events.on('delivered', (event) => {
    if (event.kind === 'message' && event.message !== undefined) {
      duplicate(event.group, event.handler, event.message.raw);
    }
  });
}
