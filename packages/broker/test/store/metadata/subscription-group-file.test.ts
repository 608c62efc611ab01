import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import {
  SUBSCRIPTION_GROUP_DEFAULTS,
  SubscriptionGroupFile,
} from '../../../src/store/metadata/subscription-group-file';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { getText, loaderAt, putText, rocketMqSample, StepClock } from './helpers/files';

const PATH = metadataFilePaths('/store').subscriptionGroups;

const load = loaderAt(PATH, SubscriptionGroupFile.load);

describe('SubscriptionGroupFile', () => {
  it('lives at config/subscriptionGroup.json', () => {
    expect(PATH).toBe('/store/config/subscriptionGroup.json');
  });

  it('fills the Java defaults and moves the DataVersion only on real changes', async () => {
    const clock = new StepClock(10);
    const groups = await load(new MemoryDisk(), clock);
    clock.nowMs = 20;
    expect(groups.set({ groupName: 'g' })).toEqual({
      groupName: 'g',
      consumeEnable: true,
      consumeFromMinEnable: true,
      consumeBroadcastEnable: true,
      retryQueueNums: 1,
      retryMaxTimes: 16,
      brokerId: 0,
      whichBrokerWhenConsumeSlowly: 1,
      notifyConsumerIdsChangedEnable: true,
    });
    expect(groups.dataVersion).toEqual({ timestamp: 20, counter: 1 });
    groups.set({ groupName: 'g', retryMaxTimes: undefined });
    expect(groups.dataVersion.counter).toBe(1);
    groups.set({ groupName: 'g', consumeEnable: false });
    expect(groups.dataVersion.counter).toBe(2);
    expect(groups.delete('g')).toBe(true);
    expect(groups.delete('g')).toBe(false);
    expect(groups.dataVersion.counter).toBe(3);
    expect(() => groups.set({ groupName: 'g', retryQueueNums: 2 ** 31 })).toThrow(RangeError);
    expect(() => groups.set({ groupName: 'g', brokerId: 2 ** 53 })).toThrow(RangeError);
  });

  it('round-trips through the file in RocketMQ’s shape', async () => {
    const memory = new MemoryDisk();
    const groups = await load(memory, new StepClock(99));
    groups.set({ groupName: 'z', retryQueueNums: 0, brokerId: 1 });
    groups.set({ groupName: 'a', consumeBroadcastEnable: false });
    await groups.persist();

    const json = JSON.parse(await getText(memory, PATH)) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    expect(Object.keys(json)).toEqual(['dataVersion', 'subscriptionGroupTable']);
    expect(json['dataVersion']).toEqual({ counter: 2, timestamp: 99 });
    expect(Object.keys(json['subscriptionGroupTable'] ?? {})).toEqual(['a', 'z']);
    expect(Object.keys(json['subscriptionGroupTable']?.['a'] ?? {})).toEqual([
      'brokerId',
      'consumeBroadcastEnable',
      'consumeEnable',
      'consumeFromMinEnable',
      'groupName',
      'notifyConsumerIdsChangedEnable',
      'retryMaxTimes',
      'retryQueueNums',
      'whichBrokerWhenConsumeSlowly',
    ]);

    const reloaded = await load(memory);
    expect(reloaded.get('z')).toEqual(groups.get('z'));
    expect(reloaded.get('a')).toEqual(groups.get('a'));
    expect(reloaded.dataVersion).toEqual({ timestamp: 99, counter: 2 });
  });

  it('loads a RocketMQ 4.9 subscriptionGroup.json', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, rocketMqSample('subscriptionGroup.json'));
    const groups = await load(memory);
    expect(groups.loadResult).toEqual({ source: 'main', path: PATH, ignoredFields: [] });
    expect(groups.dataVersion).toEqual({ timestamp: 1700000000456, counter: 2 });
    expect(groups.get('SELF_TEST_C_GROUP')).toEqual({
      ...SUBSCRIPTION_GROUP_DEFAULTS,
      groupName: 'SELF_TEST_C_GROUP',
    });
    expect(groups.get('please_rename_unique_group_name_4')).toMatchObject({
      consumeBroadcastEnable: false,
      retryMaxTimes: 3,
      retryQueueNums: 2,
    });
  });

  it('tolerates RocketMQ 5 additions and reports them', async () => {
    const memory = new MemoryDisk();
    await putText(
      memory,
      PATH,
      '{"dataVersion":{"counter":1,"stateVersion":0,"timestamp":5},"forbiddenTable":{},' +
        '"subscriptionGroupTable":{"g":{"groupName":"g","groupRetryPolicy":{"type":"CUSTOMIZED"},"attributes":{}}}}',
    );
    const groups = await load(memory);
    expect(groups.get('g')).toEqual({ ...SUBSCRIPTION_GROUP_DEFAULTS, groupName: 'g' });
    expect(groups.loadResult.ignoredFields).toEqual([
      'dataVersion.stateVersion',
      'subscriptionGroupTable.g.groupRetryPolicy',
      'subscriptionGroupTable.g.attributes',
      'forbiddenTable',
    ]);
  });

  it('names the bad field when neither copy loads', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, '{"subscriptionGroupTable":{"g":{"consumeEnable":"yes"}}}');
    const error = await load(memory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect((error as Error).message).toContain(
      'subscriptionGroupTable.g.consumeEnable: expected true or false, found "yes"; /store/config/subscriptionGroup.json.bak: missing',
    );
  });
});
