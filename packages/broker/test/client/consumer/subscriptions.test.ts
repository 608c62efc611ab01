// Subscriptions as heartbeats describe them, and the listener's view of a redelivered message.

import { FakeClock } from '../../../src/common/fake-clock';
import { retryTopicOf, Subscriptions } from '../../../src/client/consumer/subscriptions';
import { toConsumedMessage } from '../../../src/client/consumer/consumed-message';
import type { MessageExt } from '../../../src/client/message';

describe('Subscriptions', () => {
  it('describes tag subscriptions with their tags and Java hash codes', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const subscriptions = new Subscriptions(clock);
    subscriptions.subscribe('Orders', 'TagA || TagB');
    subscriptions.subscribe(retryTopicOf('cg'), '*');
    expect(subscriptions.toSubscriptionData()).toEqual([
      {
        topic: 'Orders',
        subString: 'TagA || TagB',
        tagsSet: ['TagA', 'TagB'],
        // "TagA".hashCode() and "TagB".hashCode() in Java.
        codeSet: [2598919, 2598920],
        subVersion: 1_700_000_000_000,
        expressionType: 'TAG',
        classFilterMode: false,
      },
      {
        topic: '%RETRY%cg',
        subString: '*',
        tagsSet: [],
        codeSet: [],
        subVersion: 1_700_000_000_000,
        expressionType: 'TAG',
        classFilterMode: false,
      },
    ]);
    expect(subscriptions.expressionOf('Orders')).toBe('TagA || TagB');
    expect(subscriptions.filterOf('Orders')?.tags).toEqual(new Set(['TagA', 'TagB']));
    expect(subscriptions.filterOf('Other')).toBeUndefined();
  });

  it('replaces a topic subscription with a newer version', () => {
    const clock = new FakeClock(1000);
    const subscriptions = new Subscriptions(clock);
    subscriptions.subscribe('Orders', 'TagA');
    clock.advance(5);
    subscriptions.subscribe('Orders', '*');
    expect(subscriptions.topics).toEqual(['Orders']);
    expect(subscriptions.toSubscriptionData()[0]).toMatchObject({ subString: '*', subVersion: 1005 });
  });
});

describe('toConsumedMessage', () => {
  const base = {
    topic: '%RETRY%cg',
    properties: new Map([['RETRY_TOPIC', 'Orders']]),
  } as unknown as MessageExt;

  it('restores the original topic of a redelivered message and records its broker', () => {
    expect(toConsumedMessage(base, 'broker-a')).toMatchObject({ topic: 'Orders', brokerName: 'broker-a' });
  });

  it('leaves a first delivery alone', () => {
    const plain = { ...base, topic: 'Orders', properties: new Map<string, string>() } as MessageExt;
    expect(toConsumedMessage(plain, 'broker-b')).toMatchObject({ topic: 'Orders', brokerName: 'broker-b' });
  });
});
