import { FakeClock } from '../../../src/common/fake-clock';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { SUBSCRIPTION_GROUP_DEFAULTS } from '../../../src/store/metadata/subscription-group-file';
import {
  SubscriptionGroupError,
  SubscriptionGroupErrorCodes,
} from '../../../src/server/subscription/subscription-group-errors';
import { SubscriptionGroupManager } from '../../../src/server/subscription/subscription-group-manager';
import { PRECREATED_SUBSCRIPTION_GROUPS } from '../../../src/server/subscription/system-groups';

const PATH = metadataFilePaths('/store').subscriptionGroups;

function open(disk: MemoryDisk, autoCreateSubscriptionGroup?: boolean): Promise<SubscriptionGroupManager> {
  return SubscriptionGroupManager.load({
    disk,
    path: PATH,
    clock: new FakeClock(),
    autoCreateSubscriptionGroup,
  });
}

describe('SubscriptionGroupManager', () => {
  it('pre-creates the groups RocketMQ does, with the defaults', async () => {
    const manager = await open(new MemoryDisk());
    expect(PRECREATED_SUBSCRIPTION_GROUPS).toEqual(
      expect.arrayContaining([
        'TOOLS_CONSUMER',
        'FILTERSRV_CONSUMER',
        'SELF_TEST_C_GROUP',
        'CID_ONSAPI_OWNER',
      ]),
    );
    for (const group of PRECREATED_SUBSCRIPTION_GROUPS) {
      expect(manager.find(group)).toEqual({ groupName: group, ...SUBSCRIPTION_GROUP_DEFAULTS });
    }
  });

  it('auto-creates unknown groups with the RocketMQ defaults when autoCreateSubscriptionGroup is on', async () => {
    const manager = await open(new MemoryDisk());
    const before = manager.dataVersion.counter;
    const created = await manager.findOrAutoCreate('cg');
    expect(created).toEqual({
      groupName: 'cg',
      consumeEnable: true,
      consumeFromMinEnable: true,
      consumeBroadcastEnable: true,
      retryQueueNums: 1,
      retryMaxTimes: 16,
      brokerId: 0,
      whichBrokerWhenConsumeSlowly: 1,
      notifyConsumerIdsChangedEnable: true,
    });
    expect(manager.dataVersion.counter).toBe(before + 1);
    expect(await manager.findOrAutoCreate('cg')).toBe(created);
    expect(manager.dataVersion.counter).toBe(before + 1);
  });

  it('does not auto-create when off, except CID_RMQ_SYS_ groups', async () => {
    const manager = await open(new MemoryDisk(), false);
    expect(await manager.findOrAutoCreate('cg')).toBeUndefined();
    expect(manager.find('cg')).toBeUndefined();
    expect(await manager.findOrAutoCreate('CID_RMQ_SYS_TRANS')).toMatchObject({
      groupName: 'CID_RMQ_SYS_TRANS',
    });
  });

  it('updates, deletes and persists across a reload', async () => {
    const disk = new MemoryDisk();
    const first = await open(disk);
    await first.createOrUpdate({ groupName: 'g1', retryQueueNums: 3, notifyConsumerIdsChangedEnable: false });
    await first.createOrUpdate({ groupName: 'g2' });
    expect(await first.delete('g2')).toBe(true);
    expect(await first.delete('g2')).toBe(false);

    const second = await open(disk);
    expect(second.find('g1')).toMatchObject({ retryQueueNums: 3, notifyConsumerIdsChangedEnable: false });
    expect(second.find('g2')).toBeUndefined();
    expect(second.dataVersion).toEqual(first.dataVersion);
    expect(second.toRocketMqJson()).toEqual(first.toRocketMqJson());
  });

  it('rejects group names whose retry topic would be invalid, and bad settings', async () => {
    const manager = await open(new MemoryDisk());
    for (const name of ['a b', 'a@b', 'x'.repeat(121), '']) {
      const error = await manager.findOrAutoCreate(name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubscriptionGroupError);
      expect((error as SubscriptionGroupError).code).toBe(SubscriptionGroupErrorCodes.NAME_INVALID);
    }
    expect(await manager.findOrAutoCreate('x'.repeat(120))).toBeDefined();
    const error = await manager
      .createOrUpdate({ groupName: 'g', retryQueueNums: 2 ** 31 })
      .catch((e: unknown) => e);
    expect((error as SubscriptionGroupError).code).toBe(SubscriptionGroupErrorCodes.CONFIG_INVALID);
  });
});
