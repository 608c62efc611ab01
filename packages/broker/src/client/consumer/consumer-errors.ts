import { KeelError } from '../../common/errors';

export const ConsumerErrorCodes = {
  NO_CONSUMERS_KNOWN: 'CONSUMER_NO_CONSUMERS_KNOWN',
} as const;

/**
 * The broker listed no consumer for the group (its heartbeat not registered yet, or it lost it).
 * The rebalance changes nothing rather than giving every queue away; retried at the next one.
 */
export class NoConsumersKnownError extends KeelError {
  constructor(group: string, topic: string) {
    super(
      ConsumerErrorCodes.NO_CONSUMERS_KNOWN,
      `no consumer of group ${group} is known for topic ${topic}; keeping the current queues until the next rebalance`,
      { retriable: true },
    );
  }
}
