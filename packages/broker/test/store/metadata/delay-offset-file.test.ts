import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { DelayOffsetFile } from '../../../src/store/metadata/delay-offset-file';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { getText, loaderAt, putText, rocketMqSample, StepClock } from './helpers/files';

const PATH = metadataFilePaths('/store').delayOffsets;

const load = loaderAt(PATH, DelayOffsetFile.load);

describe('DelayOffsetFile', () => {
  it('lives at config/delayOffset.json', () => {
    expect(PATH).toBe('/store/config/delayOffset.json');
  });

  it('keeps an offset per delay level', async () => {
    const offsets = await load(new MemoryDisk(), new StepClock(7));
    offsets.set(3, 40);
    offsets.set(3, 40);
    offsets.set(1, 2);
    expect(offsets.get(3)).toBe(40);
    expect(offsets.get(2)).toBeUndefined();
    expect(offsets.dataVersion).toEqual({ timestamp: 7, counter: 2 });
    expect(offsets.delete(1)).toBe(true);
    expect(offsets.delete(1)).toBe(false);
    expect([...offsets.entries()]).toEqual([[3, 40]]);
    expect(() => offsets.set(0, 1)).toThrow('delay level must be an int >= 1, got 0');
    expect(() => offsets.set(1, -0.5)).toThrow(RangeError);
  });

  it('loads a RocketMQ 4.9 delayOffset.json with fastjson’s unquoted levels', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, rocketMqSample('delayOffset.json'));
    const offsets = await load(memory);
    expect(offsets.loadResult).toEqual({ source: 'main', path: PATH, ignoredFields: [] });
    expect(new Map(offsets.entries())).toEqual(
      new Map([
        [1, 12],
        [2, 0],
        [3, 5],
        [18, 1024],
      ]),
    );
  });

  it('loads the compact form as well', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, '{"offsetTable":{1:12,2:0}}');
    expect((await load(memory)).get(1)).toBe(12);
  });

  it('round-trips through standard JSON', async () => {
    const memory = new MemoryDisk();
    const offsets = await load(memory);
    offsets.set(18, 9);
    offsets.set(2, 1);
    await offsets.persist();
    expect(await getText(memory, PATH)).toBe('{\n\t"offsetTable": {\n\t\t"2": 1,\n\t\t"18": 9\n\t}\n}');
    const reloaded = await load(memory);
    expect(new Map(reloaded.entries())).toEqual(new Map(offsets.entries()));
  });

  it('rejects level 0, which RocketMQ never stores', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, '{"offsetTable":{0:1}}');
    const error = await load(memory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect((error as Error).message).toContain('offsetTable.0: key "0" is not an integer >= 1');
  });
});
