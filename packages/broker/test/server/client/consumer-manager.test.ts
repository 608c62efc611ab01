import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { isOneway } from '../../../src/protocol/remoting/remoting-command';
import { ConsumerIdsChangeNotifier } from '../../../src/server/client/consumer-ids-change-notifier';
import { ConsumerManager, type ConsumerGroupChange } from '../../../src/server/client/consumer-manager';
import { consumerData, FakeChannel, identity, subscription } from './fake-channel';

const T0 = 1_700_000_000_000;

function setup(notifyEnabled: (group: string) => boolean = () => true): {
  manager: ConsumerManager;
  changes: ConsumerGroupChange[];
  sendErrors: unknown[];
} {
  const manager = new ConsumerManager();
  const changes: ConsumerGroupChange[] = [];
  const sendErrors: unknown[] = [];
  manager.onGroupChanged((change) => changes.push(change));
  let opaque = 100;
  new ConsumerIdsChangeNotifier({
    isNotifyEnabled: notifyEnabled,
    nextOpaque: () => opaque++,
    onSendError: (error) => sendErrors.push(error),
  }).attach(manager);
  return { manager, changes, sendErrors };
}

describe('ConsumerManager', () => {
  it('registers channels and subscriptions and reports what changed', () => {
    const { manager } = setup();
    const a = new FakeChannel(1);
    const b = new FakeChannel(2);
    const data = consumerData('cg', [subscription('T'), subscription('%RETRY%cg')]);
    expect(manager.register(data, identity(a), T0)).toEqual({
      membershipChanged: true,
      subscriptionsChanged: true,
    });
    expect(manager.register(data, identity(a), T0 + 1)).toEqual({
      membershipChanged: false,
      subscriptionsChanged: false,
    });
    expect(manager.register(data, identity(b), T0 + 2)).toEqual({
      membershipChanged: true,
      subscriptionsChanged: false,
    });
    expect(manager.consumerIdList('cg')).toEqual(['client-1', 'client-2']);
    expect(manager.findSubscription('cg', 'T')?.subString).toBe('*');
    expect(manager.findChannel('cg', 'client-2')).toBe(b);
    expect(manager.groupsSubscribing('T')).toEqual(['cg']);
    expect(manager.consumerIdList('unknown')).toEqual([]);
  });

  it('replaces a subscription only with a newer subVersion and drops topics no longer listed', () => {
    const { manager } = setup();
    const a = new FakeChannel(1);
    manager.register(consumerData('cg', [subscription('T', 5, 'TagA')]), identity(a), T0);
    manager.register(consumerData('cg', [subscription('T', 4, 'Old')]), identity(a), T0);
    expect(manager.findSubscription('cg', 'T')?.subString).toBe('TagA');
    const newer = manager.register(consumerData('cg', [subscription('T', 6, 'TagB')]), identity(a), T0);
    expect(newer.subscriptionsChanged).toBe(false);
    expect(manager.findSubscription('cg', 'T')?.subString).toBe('TagB');
    const moved = manager.register(consumerData('cg', [subscription('U', 7)]), identity(a), T0);
    expect(moved.subscriptionsChanged).toBe(true);
    expect(manager.findSubscription('cg', 'T')).toBeUndefined();
  });

  it('sends exactly one NOTIFY_CONSUMER_IDS_CHANGED to each channel per membership change', () => {
    const { manager } = setup();
    const a = new FakeChannel(1);
    const b = new FakeChannel(2);
    const data = consumerData('cg', [subscription('T')]);
    manager.register(data, identity(a), T0);
    expect(a.sent).toHaveLength(1);
    manager.register(data, identity(a), T0 + 30_000); // plain heartbeat: nothing changes
    expect(a.sent).toHaveLength(1);

    manager.register(data, identity(b), T0);
    expect(a.sent).toHaveLength(2);
    expect(b.sent).toHaveLength(1);
    const notify = b.sent[0];
    expect(notify?.code).toBe(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED);
    expect(notify && isOneway(notify)).toBe(true);
    expect(notify?.extFields.get('consumerGroup')).toBe('cg');
    expect(new Set([...a.sent, ...b.sent].map((c) => c.opaque)).size).toBe(3);

    manager.onChannelClosed(b);
    expect(a.sent).toHaveLength(3);
    expect(b.sent).toHaveLength(1);
  });

  it('does not notify groups with notification disabled', () => {
    const { manager, changes } = setup((group) => group !== 'quiet');
    const a = new FakeChannel(1);
    manager.register(consumerData('quiet', [subscription('T')]), identity(a), T0);
    expect(changes).toHaveLength(1);
    expect(a.sent).toHaveLength(0);
  });

  it('keeps notifying the other channels when one send fails', () => {
    const { manager, sendErrors } = setup();
    const broken = new FakeChannel(1);
    broken.sendOneway = () => {
      throw new Error('closed');
    };
    const ok = new FakeChannel(2);
    manager.register(consumerData('cg', [subscription('T')]), identity(broken), T0);
    manager.register(consumerData('cg', [subscription('T')]), identity(ok), T0);
    expect(ok.sent).toHaveLength(1);
    expect(sendErrors).toHaveLength(2);
  });

  it('unregisters a channel and removes an emptied group', () => {
    const { manager, changes } = setup();
    const a = new FakeChannel(1);
    manager.register(consumerData('cg', [subscription('T')]), identity(a), T0);
    expect(manager.unregister('cg', new FakeChannel(9))).toBe(false);
    expect(manager.unregister('cg', a)).toBe(true);
    expect(manager.groups()).toEqual([]);
    expect(changes.at(-1)).toEqual({ group: 'cg', cause: 'unregistered', channels: [] });
  });

  it('a closed channel leaves every group it was in', () => {
    const { manager } = setup();
    const a = new FakeChannel(1);
    const b = new FakeChannel(2);
    manager.register(consumerData('g1', [subscription('T')]), identity(a), T0);
    manager.register(consumerData('g2', [subscription('T')]), identity(a), T0);
    manager.register(consumerData('g2', [subscription('T')]), identity(b), T0);
    expect(manager.onChannelClosed(a).sort()).toEqual(['g1', 'g2']);
    expect(manager.groups()).toEqual(['g2']);
    expect(manager.consumerIdList('g2')).toEqual(['client-2']);
  });

  it('expires channels silent for more than 120 s and notifies the rest', () => {
    const { manager } = setup();
    const a = new FakeChannel(1);
    const b = new FakeChannel(2);
    const data = consumerData('cg', [subscription('T')]);
    manager.register(data, identity(a), T0);
    manager.register(data, identity(b), T0);
    manager.register(data, identity(b), T0 + 60_000);
    const sentToB = b.sent.length;
    expect(manager.scanExpired(T0 + 120_000)).toEqual([]);
    expect(manager.scanExpired(T0 + 120_001)).toEqual([a]);
    expect(manager.consumerIdList('cg')).toEqual(['client-2']);
    expect(b.sent).toHaveLength(sentToB + 1);
    expect(manager.scanExpired(T0 + 180_001)).toEqual([b]);
    expect(manager.groups()).toEqual([]);
  });

  it('describes a group for GET_CONSUMER_CONNECTION_LIST', () => {
    const { manager } = setup();
    const a = new FakeChannel(1, '10.1.1.1:1234');
    manager.register(consumerData('cg', [subscription('T')]), identity(a, 'ip@pid'), T0);
    const view = manager.groupView('cg');
    expect(view).toMatchObject({
      groupName: 'cg',
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      connections: [{ clientId: 'ip@pid', clientAddr: '10.1.1.1:1234', language: 'JAVA', version: 409 }],
    });
    expect([...(view?.subscriptions.keys() ?? [])]).toEqual(['T']);
    expect(manager.groupView('none')).toBeUndefined();
  });
});
