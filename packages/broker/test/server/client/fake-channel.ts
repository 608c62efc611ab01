import type { ClientChannel, ClientIdentity } from '../../../src/server/client/client-channel';
import type { ConsumerData, SubscriptionData } from '../../../src/server/client/heartbeat-types';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';

/** A channel that records what is sent on it. */
export class FakeChannel implements ClientChannel {
  readonly sent: RemotingCommand[] = [];
  constructor(
    readonly id: number,
    readonly remoteAddress = `10.0.0.${id}:4000${id}`,
  ) {}

  sendOneway(command: RemotingCommand): void {
    this.sent.push(command);
  }
}

export function identity(channel: ClientChannel, clientId = `client-${channel.id}`): ClientIdentity {
  return { channel, clientId, language: 'JAVA', version: 409 };
}

export function subscription(topic: string, subVersion = 1, subString = '*'): SubscriptionData {
  return {
    topic,
    subString,
    tagsSet: [],
    codeSet: [],
    subVersion,
    expressionType: 'TAG',
    classFilterMode: false,
  };
}

export function consumerData(groupName: string, subscriptions: SubscriptionData[]): ConsumerData {
  return {
    groupName,
    consumeType: 'CONSUME_PASSIVELY',
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    subscriptionDataSet: subscriptions,
    unitMode: false,
  };
}
