// QUERY_CONSUMER_OFFSET's answer (ConsumerManageProcessor.queryConsumerOffset, facts §2.5 / §11.12)
// as a pure function, so the rule is tested without a store.

export interface QueryConsumerOffsetInput {
  /** The group's committed offset for the queue, if it committed one. */
  readonly stored: number | undefined;
  /** The consume queue's min offset (0 for a queue nothing was ever cut from). */
  readonly minOffset: number;
  /** Whether the message at queue offset 0 is still in memory (RocketMQ's !checkInDiskByConsumeOffset). */
  readonly firstMessageInMemory: boolean;
}

export type QueryConsumerOffsetResult =
  { readonly kind: 'found'; readonly offset: number } | { readonly kind: 'notFound' };

/**
 * A stored offset is the answer. Without one, a young queue (nothing deleted yet, first message
 * still in memory) answers 0: a brand-new group then reads the queue from its start even with
 * CONSUME_FROM_LAST_OFFSET, which is what RocketMQ users rely on for freshly created topics.
 * Otherwise QUERY_NOT_FOUND, and the client applies its ConsumeFromWhere.
 */
export function resolveQueryConsumerOffset(input: QueryConsumerOffsetInput): QueryConsumerOffsetResult {
  if (input.stored !== undefined && input.stored >= 0) return { kind: 'found', offset: input.stored };
  if (input.minOffset <= 0 && input.firstMessageInMemory) return { kind: 'found', offset: 0 };
  return { kind: 'notFound' };
}
