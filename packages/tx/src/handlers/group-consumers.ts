// One push consumer per consumer group, subscribed to the topics (with tag expressions) of every
// handler of the group, and one per group with @OnDeadLetter receivers, reading %DLQ%<group> as
// group `<group>-dlq`. Each delivery goes to the handler of its topic through the DeliveryRunner;
// the consumers only translate its decision into RocketMQ's statuses:
//
//   concurrent  handled/duplicate → CONSUME_SUCCESS; failed → RECONSUME_LATER, with
//               delayLevelWhenNextConsume = -1 when the decision is the dead-letter queue
//   orderly     handled/duplicate → SUCCESS; failed → SUSPEND_CURRENT_QUEUE_A_MOMENT (the queue
//               waits, order holds), with context.deadLetter(message) for the dead-letter queue
//
// Batches are one message, so a status always speaks for exactly one message. Consumers start from
// the first offset of queues their group has never consumed: a group deployed after messages were
// published still gets them (RocketMQ's LAST default would skip them silently).

import type { PushConsumerOptions } from '@keel/broker/client';
import { PushConsumer, type ConsumedMessage } from '@keel/broker/client';
import type { Logger } from '@keel/broker';
import { MAX_RETRIES_LIMIT } from '../metadata/handler-options';
import type { ResolvedDeadLetterHandler, ResolvedMessageHandler } from '../metadata/validate-metadata';
import type { DeliveryRunner, DeliveryTarget } from './delivery-runner';
import type { Delivered } from './delivered';

/** The push consumer options the runtime passes through (client, tuning); group and mode are its own. */
export type ConsumerBaseOptions = Omit<PushConsumerOptions, 'group' | 'maxReconsumeTimes' | 'messageModel'>;

/** Suffix of the group that reads a group's dead letters. */
export const DEAD_LETTER_GROUP_SUFFIX = '-dlq';

export function deadLetterGroupOf(group: string): string {
  return `${group}${DEAD_LETTER_GROUP_SUFFIX}`;
}

function deadLetterTopicOf(group: string): string {
  return `%DLQ%${group}`;
}

/** Builds (does not start) the consumers; throws the client's ConfigError for bad tuning. */
export function createConsumers(
  messageHandlers: readonly ResolvedMessageHandler[],
  deadLetterHandlers: readonly ResolvedDeadLetterHandler[],
  base: ConsumerBaseOptions,
  runner: DeliveryRunner,
  logger: Logger,
): PushConsumer[] {
  const consumers: PushConsumer[] = [];
  for (const [group, handlers] of groupBy(messageHandlers, (handler) => handler.group)) {
    consumers.push(messageConsumer(group, handlers, base, runner, logger));
  }
  for (const [group, receivers] of groupBy(deadLetterHandlers, (handler) => handler.group)) {
    consumers.push(deadLetterConsumer(group, receivers, base, runner, logger));
  }
  return consumers;
}

function messageConsumer(
  group: string,
  handlers: readonly ResolvedMessageHandler[],
  base: ConsumerBaseOptions,
  runner: DeliveryRunner,
  logger: Logger,
): PushConsumer {
  const consumer = new PushConsumer({
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    ...base,
    group,
    consumeMessageBatchMaxSize: 1,
    // A backstop only: the runtime decides per message (failure-policy.ts) and asks for the DLQ
    // itself, so the broker's count must never run out first.
    maxReconsumeTimes: Math.max(1, ...handlers.map((handler) => handler.maxRetries)),
  });
  const targets = new Map(handlers.map((handler) => [handler.topic, messageTargetOf(handler)]));
  for (const handler of handlers) consumer.subscribe(handler.topic, handler.tag);
  const targetOf = (message: ConsumedMessage): DeliveryTarget | undefined => {
    const target = targets.get(message.topic);
    if (target === undefined) {
      logger.warn('message of a topic no handler of the group consumes; acknowledged', {
        group,
        topic: message.topic,
        msgId: message.msgId,
      });
    }
    return target;
  };
  if (handlers.some((handler) => handler.orderly)) {
    consumer.onMessagesOrderly(async (messages, context) => {
      for (const message of messages) {
        const target = targetOf(message);
        if (target === undefined) continue;
        const result = await runner.deliver(target, message, context.reconsumeTimesOf(message));
        if (result.outcome !== 'failed') continue;
        if (result.next === 'dead-letter') context.deadLetter(message);
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      }
      return 'SUCCESS';
    });
  } else {
    consumer.onMessages(async (messages, context) => {
      for (const message of messages) {
        const target = targetOf(message);
        if (target === undefined) continue;
        const result = await runner.deliver(target, message, message.reconsumeTimes);
        if (result.outcome !== 'failed') continue;
        if (result.next === 'dead-letter') context.delayLevelWhenNextConsume = -1;
        return 'RECONSUME_LATER';
      }
      return 'CONSUME_SUCCESS';
    });
  }
  return consumer;
}

function deadLetterConsumer(
  group: string,
  receivers: readonly ResolvedDeadLetterHandler[],
  base: ConsumerBaseOptions,
  runner: DeliveryRunner,
  logger: Logger,
): PushConsumer {
  const consumerGroup = deadLetterGroupOf(group);
  const consumer = new PushConsumer({
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    ...base,
    group: consumerGroup,
    consumeMessageBatchMaxSize: 1,
    maxReconsumeTimes: MAX_RETRIES_LIMIT,
  });
  consumer.subscribe(deadLetterTopicOf(group), '*');
  const byTopic = new Map<string | undefined, DeliveryTarget>(
    receivers.map((receiver) => [receiver.topic, deadLetterTarget(receiver, consumerGroup)]),
  );
  consumer.onMessages(async (messages, context) => {
    for (const message of messages) {
      // The consumer shows a dead letter under its original topic (RETRY_TOPIC).
      const target = byTopic.get(message.topic) ?? byTopic.get(undefined);
      if (target === undefined) {
        logger.debug('dead letter of a topic no @OnDeadLetter receives; acknowledged', {
          group,
          topic: message.topic,
          msgId: message.msgId,
        });
        continue;
      }
      const result = await runner.deliver(target, message, message.reconsumeTimes);
      if (result.outcome !== 'failed') continue;
      if (result.next === 'dead-letter') context.delayLevelWhenNextConsume = -1;
      return 'RECONSUME_LATER';
    }
    return 'CONSUME_SUCCESS';
  });
  return consumer;
}

/** @internal The delivery target of a message handler (also used by the test kit's duplicates). */
export function messageTargetOf(handler: ResolvedMessageHandler): DeliveryTarget {
  return {
    label: `${handler.className}.${String(handler.method)}`,
    kind: 'message',
    group: handler.group,
    inboxGroup: handler.group,
    maxRetries: handler.maxRetries,
    idempotencyKey: handler.idempotencyKey,
    nonRetriable: handler.nonRetriable,
    invoke: (message: Delivered) => handler.invoke(message),
  };
}

function deadLetterTarget(receiver: ResolvedDeadLetterHandler, consumerGroup: string): DeliveryTarget {
  return {
    label: `${receiver.className}.${String(receiver.method)}`,
    kind: 'dead-letter',
    group: receiver.group,
    inboxGroup: consumerGroup,
    // Its failures retry through %RETRY%<group>-dlq, then land in %DLQ%<group>-dlq.
    maxRetries: MAX_RETRIES_LIMIT,
    // Each dead-lettered copy once: a message resent from the DLQ and dead-lettered again is a new
    // record with a new offset id, and is received again.
    idempotencyKey: 'offsetMsgId',
    nonRetriable: undefined,
    invoke: (message: Delivered) => receiver.invoke(message),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return groups;
}
