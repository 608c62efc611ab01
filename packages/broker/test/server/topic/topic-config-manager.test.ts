import { FakeClock } from '../../../src/common/fake-clock';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { TopicConfigFile } from '../../../src/store/metadata/topic-config-file';
import { PermName } from '../../../src/protocol/perm-name';
import { isSendForbiddenTopic, SystemTopic } from '../../../src/server/topic/system-topics';
import {
  TopicConfigManager,
  type TopicChange,
  type TopicConfigManagerSettings,
} from '../../../src/server/topic/topic-config-manager';
import { TopicConfigError, TopicErrorCodes } from '../../../src/server/topic/topic-errors';

const PATH = metadataFilePaths('/store').topics;

async function open(
  settings: Partial<TopicConfigManagerSettings> = {},
  disk = new MemoryDisk(),
  clock = new FakeClock(),
): Promise<{ manager: TopicConfigManager; disk: MemoryDisk; clock: FakeClock }> {
  const manager = await TopicConfigManager.load({ disk, path: PATH, clock, settings });
  return { manager, disk, clock };
}

async function expectTopicError(promise: Promise<unknown>, code: string): Promise<TopicConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TopicConfigError);
  expect((error as TopicConfigError).code).toBe(code);
  return error as TopicConfigError;
}

describe('TopicConfigManager: built-in topics', () => {
  it('creates the topics RocketMQ creates at start, and persists them', async () => {
    const { manager, disk, clock } = await open({ brokerClusterName: 'C1', brokerName: 'b1' });
    const perm7 = PermName.INHERIT | PermName.READ | PermName.WRITE;
    expect(manager.select('TBW102')).toMatchObject({ readQueueNums: 8, writeQueueNums: 8, perm: perm7 });
    expect(manager.select('C1')).toMatchObject({ readQueueNums: 16, writeQueueNums: 16, perm: perm7 });
    expect(manager.select('b1')).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: perm7 });
    expect(manager.select('SCHEDULE_TOPIC_XXXX')).toMatchObject({ readQueueNums: 18, perm: 6 });
    expect(manager.select('BenchmarkTest')).toMatchObject({ readQueueNums: 1024 });
    for (const single of [
      'SELF_TEST_TOPIC',
      'OFFSET_MOVED_EVENT',
      'C1_REPLY_TOPIC',
      'RMQ_SYS_TRANS_HALF_TOPIC',
      'RMQ_SYS_TRANS_OP_HALF_TOPIC',
    ]) {
      expect(manager.select(single)).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    }
    expect(manager.select('RMQ_SYS_TRACE_TOPIC')).toBeUndefined();

    const onDisk = await TopicConfigFile.load({ disk, path: PATH, clock });
    expect(onDisk.size).toBe(manager.size);
  });

  it('leaves TBW102 out without autoCreateTopicEnable and strips RW from disabled cluster/broker topics', async () => {
    const { manager } = await open({
      autoCreateTopicEnable: false,
      clusterTopicEnable: false,
      brokerTopicEnable: false,
      traceTopicEnable: true,
    });
    expect(manager.select('TBW102')).toBeUndefined();
    expect(manager.select('DefaultCluster')?.perm).toBe(PermName.INHERIT);
    expect(manager.select('broker-a')?.perm).toBe(PermName.INHERIT);
    expect(manager.select('RMQ_SYS_TRACE_TOPIC')).toMatchObject({ readQueueNums: 1 });
  });

  it('knows its system topics, including the broker-named ones, and which topics refuse sends', async () => {
    const { manager } = await open({ brokerClusterName: 'C1', brokerName: 'b1' });
    for (const topic of ['TBW102', 'C1', 'b1', 'C1_REPLY_TOPIC', 'SCHEDULE_TOPIC_XXXX', 'rmq_sys_anything']) {
      expect(manager.isSystemTopic(topic)).toBe(true);
    }
    for (const topic of ['TopicTest', '%RETRY%g', '%DLQ%g', 'DefaultCluster']) {
      expect(manager.isSystemTopic(topic)).toBe(false);
    }
    expect(isSendForbiddenTopic(SystemTopic.TRANS_HALF)).toBe(true);
    expect(isSendForbiddenTopic(SystemTopic.SCHEDULE)).toBe(true);
    expect(isSendForbiddenTopic('TBW102')).toBe(false);
  });
});

describe('TopicConfigManager: auto-creation on send (TBW102)', () => {
  it('creates from the template: min(client, template writeQueueNums) queues, perm without INHERIT', async () => {
    const { manager } = await open({ defaultTopicQueueNums: 8 });
    const changes: TopicChange[] = [];
    manager.onChange((change) => changes.push(change));
    const before = manager.dataVersion.counter;

    const created = await manager.createInSendMessageMethod('Orders', 'TBW102', '10.0.0.1:5000', 4, 0);
    expect(created).toMatchObject({ topicName: 'Orders', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    const big = await manager.createInSendMessageMethod('Big', 'TBW102', '10.0.0.1:5000', 64, 0);
    expect(big).toMatchObject({ readQueueNums: 8, writeQueueNums: 8 });
    expect(manager.dataVersion.counter).toBe(before + 2);
    expect(changes.map((c) => [c.kind, c.topic])).toEqual([
      ['created', 'Orders'],
      ['created', 'Big'],
    ]);

    // An existing topic comes back unchanged, whatever the client asks for.
    expect(await manager.createInSendMessageMethod('Orders', 'TBW102', 'x', 1, 0)).toBe(created);
    expect(changes).toHaveLength(2);
  });

  it('lets only one of two racing sends create the topic', async () => {
    const { manager } = await open();
    const changes: TopicChange[] = [];
    manager.onChange((change) => changes.push(change));
    const [a, b] = await Promise.all([
      manager.createInSendMessageMethod('Race', 'TBW102', 'a', 4, 0),
      manager.createInSendMessageMethod('Race', 'TBW102', 'b', 2, 0),
    ]);
    expect(a).toBe(b);
    expect(changes).toHaveLength(1);
  });

  it('refuses when autoCreateTopicEnable is false, even with a TBW102 left in topics.json', async () => {
    const disk = new MemoryDisk();
    await open({ autoCreateTopicEnable: true }, disk);
    const { manager } = await open({ autoCreateTopicEnable: false }, disk);
    expect(manager.select('TBW102')?.perm).toBe(7);
    expect(await manager.createInSendMessageMethod('Orders', 'TBW102', 'x', 4, 0)).toBeUndefined();
    expect(manager.select('Orders')).toBeUndefined();
    const remark = manager.autoCreateRefusal('Orders', 'TBW102');
    expect(remark).toContain('topic[Orders] not exist');
    expect(remark).toContain('autoCreateTopicEnable is false');
    expect(remark).toContain('updateTopic');
  });

  it('refuses when the template is missing or lacks INHERIT', async () => {
    const { manager } = await open();
    expect(await manager.createInSendMessageMethod('A', 'NoSuchTemplate', 'x', 4, 0)).toBeUndefined();
    expect(manager.autoCreateRefusal('A', 'NoSuchTemplate')).toContain('NoSuchTemplate does not exist');

    await manager.createOrUpdate({ topicName: 'Plain', perm: 6 });
    expect(await manager.createInSendMessageMethod('A', 'Plain', 'x', 4, 0)).toBeUndefined();
    expect(manager.autoCreateRefusal('A', 'Plain')).toContain('without INHERIT');

    // Any topic with INHERIT is a template, as in RocketMQ (the cluster-named topic is one).
    expect(await manager.createInSendMessageMethod('A', 'DefaultCluster', 'x', 4, 0)).toMatchObject({
      perm: 6,
    });
  });

  it('rejects an invalid topic name instead of creating it', async () => {
    const { manager } = await open();
    await expectTopicError(
      manager.createInSendMessageMethod('bad topic', 'TBW102', 'x', 4, 0),
      TopicErrorCodes.NAME_INVALID,
    );
  });
});

describe('TopicConfigManager: administration', () => {
  it('validates name, queue counts and perm', async () => {
    const { manager } = await open();
    await expectTopicError(manager.createOrUpdate({ topicName: 'a@b' }), TopicErrorCodes.NAME_INVALID);
    await expectTopicError(
      manager.createOrUpdate({ topicName: 'x'.repeat(128) }),
      TopicErrorCodes.NAME_INVALID,
    );
    await expectTopicError(
      manager.createOrUpdate({ topicName: 'T', readQueueNums: -1 }),
      TopicErrorCodes.CONFIG_INVALID,
    );
    await expectTopicError(
      manager.createOrUpdate({ topicName: 'T', writeQueueNums: 1.5 }),
      TopicErrorCodes.CONFIG_INVALID,
    );
    await expectTopicError(
      manager.createOrUpdate({ topicName: 'T', perm: 16 }),
      TopicErrorCodes.CONFIG_INVALID,
    );
    expect(manager.select('T')).toBeUndefined();
  });

  it('refuses to change or delete system topics', async () => {
    const { manager } = await open();
    await expectTopicError(
      manager.createOrUpdate({ topicName: 'TBW102', perm: 6 }),
      TopicErrorCodes.SYSTEM_TOPIC,
    );
    await expectTopicError(manager.delete('SCHEDULE_TOPIC_XXXX'), TopicErrorCodes.SYSTEM_TOPIC);
    await expectTopicError(manager.delete('DefaultCluster'), TopicErrorCodes.SYSTEM_TOPIC);
    expect(manager.select('TBW102')?.perm).toBe(7);
  });

  it('creates, updates and deletes, moving the DataVersion and telling listeners', async () => {
    const { manager } = await open();
    const changes: TopicChange[] = [];
    const unsubscribe = manager.onChange((change) => changes.push(change));
    await manager.createOrUpdate({ topicName: 'T', readQueueNums: 4, writeQueueNums: 4, order: true });
    expect(manager.isOrderTopic('T')).toBe(true);
    await manager.createOrUpdate({ topicName: 'T', readQueueNums: 4, writeQueueNums: 4, order: true });
    await manager.createOrUpdate({ topicName: 'T', readQueueNums: 8, writeQueueNums: 8 });
    expect(manager.isOrderTopic('T')).toBe(false);
    expect(await manager.delete('T')).toBe(true);
    expect(await manager.delete('T')).toBe(false);
    expect(changes.map((c) => c.kind)).toEqual(['created', 'updated', 'deleted']);
    expect(changes[2]?.config).toBeUndefined();
    unsubscribe();
    await manager.createOrUpdate({ topicName: 'U' });
    expect(changes).toHaveLength(3);
  });

  it('creates %RETRY%<group> with the group retry queue count, perm RW, once', async () => {
    const { manager } = await open();
    const retry = await manager.createRetryTopicIfAbsent('cg', 2);
    expect(retry).toMatchObject({ topicName: '%RETRY%cg', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    expect(await manager.createRetryTopicIfAbsent('cg', 5)).toBe(retry);
    expect(
      await manager.createIfAbsent({ topicName: '%DLQ%cg', readQueueNums: 1, writeQueueNums: 1 }),
    ).toMatchObject({
      perm: 6,
    });
  });
});

describe('TopicConfigManager: persistence', () => {
  it('keeps topics and the DataVersion across a reload, without rewriting an unchanged table', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const first = (await open({}, disk, clock)).manager;
    await first.createOrUpdate({ topicName: 'Kept', readQueueNums: 3, writeQueueNums: 3 });
    await first.createInSendMessageMethod('Auto', 'TBW102', 'x', 2, 0);
    const version = first.dataVersion;

    clock.advance(1000);
    const second = (await open({}, disk, clock)).manager;
    expect(second.loadResult.source).toBe('main');
    expect(second.select('Kept')).toEqual(first.select('Kept'));
    expect(second.select('Auto')).toMatchObject({ readQueueNums: 2 });
    expect(second.dataVersion).toEqual(version);
    expect(second.toRocketMqJson()).toEqual(first.toRocketMqJson());
  });

  it('adds built-in topics missing from an older file (e.g. after a rename of the cluster)', async () => {
    const disk = new MemoryDisk();
    await open({ brokerClusterName: 'Old' }, disk);
    const { manager } = await open({ brokerClusterName: 'New' }, disk);
    expect(manager.select('New')).toBeDefined();
    expect(manager.select('Old')).toBeDefined();
  });
});
