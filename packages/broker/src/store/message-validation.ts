import { KeelError } from '../common/errors';
import { isTopicByte } from '../protocol/message/stored-message-decoder';
import { StoreErrorCodes } from './store-errors';

const MAX_TOPIC_LENGTH = 127;

/**
 * What the store refuses to write because recovery could not tell it from a torn record: recovery
 * requires a topic in RocketMQ's alphabet `[%|a-zA-Z0-9_-]` and no NUL in the properties (see
 * stored-message-decoder.ts). Returns the reason, or undefined when the message is acceptable.
 */
export function checkStorableText(topic: string, properties: string): KeelError | undefined {
  if (!isValidTopicName(topic)) {
    return new KeelError(
      StoreErrorCodes.TOPIC_INVALID,
      `topic ${JSON.stringify(topic)} is not a valid topic name: use 1 to ${MAX_TOPIC_LENGTH} characters from a-z A-Z 0-9 _ - % |`,
    );
  }
  if (properties.includes('\u0000')) {
    return new KeelError(
      StoreErrorCodes.PROPERTIES_INVALID,
      'message properties contain a NUL character, which the store cannot keep; remove it from keys, tags and user properties',
    );
  }
  return undefined;
}

/** Topics already found valid: a broker sees few topics and each of them on every send. */
const validTopics = new Set<string>();
const MAX_REMEMBERED_TOPICS = 10_000;

export function isValidTopicName(topic: string): boolean {
  if (validTopics.has(topic)) return true;
  if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) return false;
  for (let i = 0; i < topic.length; i++) {
    if (!isTopicByte(topic.charCodeAt(i))) return false;
  }
  if (validTopics.size >= MAX_REMEMBERED_TOPICS) validTopics.clear();
  validTopics.add(topic);
  return true;
}
