import { FakeClock } from '../../../src/common/fake-clock';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { ConsumerOffsetManager } from '../../../src/server/offset/consumer-offset-manager';
import { ConsumerOffsetError } from '../../../src/server/offset/offset-errors';
import { resolveQueryConsumerOffset } from '../../../src/server/offset/query-consumer-offset';

const PATH = metadataFilePaths('/store').consumerOffsets;

async function open(
  disk: MemoryDisk,
  clock: FakeClock,
  onPersistError = jest.fn(),
): Promise<ConsumerOffsetManager> {
  return ConsumerOffsetManager.load({ disk, path: PATH, clock, onPersistError });
}

async function reload(disk: MemoryDisk): Promise<ConsumerOffsetManager> {
  return open(disk, new FakeClock());
}

describe('ConsumerOffsetManager', () => {
  it('stores what the client commits, including a rewind', async () => {
    const manager = await open(new MemoryDisk(), new FakeClock());
    expect(manager.query('g', 'T', 0)).toBeUndefined();
    manager.commit('g', 'T', 0, 100);
    manager.commit('g', 'T', 0, 40);
    expect(manager.query('g', 'T', 0)).toBe(40);
  });

  it('answers by group, by (group, topic), and who consumes a topic', async () => {
    const manager = await open(new MemoryDisk(), new FakeClock());
    manager.commit('g1', 'T', 0, 1);
    manager.commit('g1', 'T', 1, 2);
    manager.commit('g1', 'U', 0, 3);
    manager.commit('g2', 'T', 0, 4);
    expect(manager.queryByGroupAndTopic('g1', 'T')).toEqual(
      new Map([
        [0, 1],
        [1, 2],
      ]),
    );
    expect(manager.queryAllByGroup('g1')).toEqual(
      new Map([
        [
          'T',
          new Map([
            [0, 1],
            [1, 2],
          ]),
        ],
        ['U', new Map([[0, 3]])],
      ]),
    );
    expect(manager.groupsOfTopic('T').sort()).toEqual(['g1', 'g2']);
    expect(manager.topicsOfGroup('g1').sort()).toEqual(['T', 'U']);

    expect(manager.removeTopic('T')).toBe(2);
    expect(manager.removeGroup('g1')).toBe(1);
    expect(manager.queryAllByGroup('g1').size).toBe(0);
    manager.commit('g3', 'V', 0, 1);
    expect(manager.removeGroupTopic('g3', 'V')).toBe(true);
    expect(manager.removeGroupTopic('g3', 'V')).toBe(false);
  });

  it('rejects commits it cannot store with a typed error', async () => {
    const manager = await open(new MemoryDisk(), new FakeClock());
    expect(() => manager.commit('g', 'T', -1, 0)).toThrow(ConsumerOffsetError);
    expect(() => manager.commit('g@x', 'T', 0, 0)).toThrow(ConsumerOffsetError);
    expect(() => manager.commit('g', 'T', 0, 2 ** 60)).toThrow(ConsumerOffsetError);
  });

  it('persists every flush interval on the clock, not on each commit, and on stop', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const manager = await open(disk, clock);
    manager.start();
    manager.commit('g', 'T', 0, 7);
    expect((await reload(disk)).query('g', 'T', 0)).toBeUndefined();

    await clock.advanceAsync(4_999);
    expect((await reload(disk)).query('g', 'T', 0)).toBeUndefined();
    await clock.advanceAsync(1);
    expect((await reload(disk)).query('g', 'T', 0)).toBe(7);
    expect(manager.unpersisted).toBe(false);

    manager.commit('g', 'T', 0, 8);
    await manager.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect((await reload(disk)).query('g', 'T', 0)).toBe(8);
  });

  it('reports a failed periodic persist and retries it at the next interval', async () => {
    const disk = new MemoryDisk();
    const clock = new FakeClock();
    const onPersistError = jest.fn();
    const manager = await open(disk, clock, onPersistError);
    manager.start();
    manager.commit('g', 'T', 0, 1);
    const failure = new Error('disk gone');
    const spy = jest.spyOn(disk, 'open').mockRejectedValueOnce(failure);
    await clock.advanceAsync(5_000);
    expect(onPersistError).toHaveBeenCalledWith(failure);
    spy.mockRestore();
    await clock.advanceAsync(5_000);
    expect((await reload(disk)).query('g', 'T', 0)).toBe(1);
    await manager.stop();
  });
});

describe('resolveQueryConsumerOffset', () => {
  it.each([
    [
      'a stored offset',
      { stored: 42, minOffset: 10, firstMessageInMemory: false },
      { kind: 'found', offset: 42 },
    ],
    ['a stored 0', { stored: 0, minOffset: 10, firstMessageInMemory: false }, { kind: 'found', offset: 0 }],
    [
      'young queue, first message in memory',
      { stored: undefined, minOffset: 0, firstMessageInMemory: true },
      { kind: 'found', offset: 0 },
    ],
    [
      'young queue, first message on disk',
      { stored: undefined, minOffset: 0, firstMessageInMemory: false },
      { kind: 'notFound' },
    ],
    [
      'queue with deleted head',
      { stored: undefined, minOffset: 5, firstMessageInMemory: true },
      { kind: 'notFound' },
    ],
  ] as const)('%s', (_name, input, expected) => {
    expect(resolveQueryConsumerOffset(input)).toEqual(expected);
  });
});
