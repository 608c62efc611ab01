import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { ConsumerOffsetFile } from '../../../src/store/metadata/consumer-offset-file';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { getText, loaderAt, putText, rocketMqSample, StepClock } from './helpers/files';
import { holdFirstDatasync } from './helpers/scripted-disk';

const PATH = metadataFilePaths('/store').consumerOffsets;

const load = loaderAt(PATH, ConsumerOffsetFile.load);

describe('ConsumerOffsetFile', () => {
  it('lives at config/consumerOffset.json', () => {
    expect(PATH).toBe('/store/config/consumerOffset.json');
  });

  it('records commits per topic, group and queue', async () => {
    const clock = new StepClock(1);
    const offsets = await load(new MemoryDisk(), clock);
    expect(offsets.get('T', 'G', 0)).toBeUndefined();
    clock.nowMs = 2;
    offsets.set('T', 'G', 0, 10);
    offsets.set('T', 'G', 1, 20);
    offsets.set('T', 'H', 0, 5);
    offsets.set('U', 'G', 3, 7);
    expect(offsets.get('T', 'G', 1)).toBe(20);
    expect(offsets.queueOffsets('T', 'G')).toEqual(
      new Map([
        [0, 10],
        [1, 20],
      ]),
    );
    expect(offsets.dataVersion).toEqual({ timestamp: 2, counter: 4 });
    offsets.set('T', 'G', 1, 20);
    expect(offsets.dataVersion.counter).toBe(4);
    offsets.set('T', 'G', 1, 3); // a rewind (reset offset) is accepted
    expect(offsets.get('T', 'G', 1)).toBe(3);

    expect(offsets.deleteGroup('G')).toBe(2);
    expect(offsets.get('U', 'G', 3)).toBeUndefined();
    expect(offsets.deleteTopic('T')).toBe(1);
    expect(offsets.delete('T', 'H')).toBe(false);
    expect([...offsets.entries()]).toEqual([]);
  });

  it('refuses names that would make the "topic@group" key ambiguous', async () => {
    const offsets = await load(new MemoryDisk());
    expect(() => offsets.set('a@b', 'G', 0, 1)).toThrow(RangeError);
    expect(() => offsets.set('T', '', 0, 1)).toThrow(RangeError);
    expect(() => offsets.set('T', 'G', -1, 1)).toThrow(RangeError);
    expect(() => offsets.set('T', 'G', 0, 2 ** 53)).toThrow(RangeError);
    expect(offsets.get('a@b', 'G', 0)).toBeUndefined();
    expect(offsets.dataVersion.counter).toBe(0);
  });

  it('loads a RocketMQ 4.9 consumerOffset.json with fastjson’s unquoted queue ids', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, rocketMqSample('consumerOffset.json'));
    const offsets = await load(memory);
    expect(offsets.loadResult).toEqual({ source: 'main', path: PATH, ignoredFields: [] });
    expect(offsets.queueOffsets('TopicTest', 'please_rename_unique_group_name_4')).toEqual(
      new Map([
        [0, 250],
        [1, 248],
        [2, 251],
        [3, 250],
      ]),
    );
    expect(
      offsets.get('%RETRY%please_rename_unique_group_name_4', 'please_rename_unique_group_name_4', 0),
    ).toBe(0);
    expect(offsets.get('RMQ_SYS_TRANS_HALF_TOPIC', 'CID_RMQ_SYS_TRANS', 0)).toBe(17);
  });

  it('writes standard JSON with quoted queue ids and reads it back', async () => {
    const memory = new MemoryDisk();
    const offsets = await load(memory);
    offsets.set('T', 'G', 10, 1);
    offsets.set('T', 'G', 2, 2);
    offsets.set('A', 'G', 0, 3);
    await offsets.persist();
    const text = await getText(memory, PATH);
    expect(JSON.parse(text)).toEqual({ offsetTable: { 'A@G': { '0': 3 }, 'T@G': { '2': 2, '10': 1 } } });
    expect(text).toBe(
      '{\n\t"offsetTable": {\n\t\t"A@G": {\n\t\t\t"0": 3\n\t\t},\n\t\t"T@G": {\n\t\t\t"2": 2,\n\t\t\t"10": 1\n\t\t}\n\t}\n}',
    );
    const reloaded = await load(memory);
    expect(reloaded.queueOffsets('T', 'G')).toEqual(offsets.queueOffsets('T', 'G'));
    expect(reloaded.get('A', 'G', 0)).toBe(3);
  });

  it('adopts a RocketMQ 5 dataVersion but does not write one', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, '{"dataVersion":{"counter":9,"timestamp":77},"offsetTable":{"T@G":{0:1}}}');
    const offsets = await load(memory);
    expect(offsets.dataVersion).toEqual({ timestamp: 77, counter: 9 });
    offsets.set('T', 'G', 0, 2);
    await offsets.persist();
    expect(Object.keys(JSON.parse(await getText(memory, PATH)) as object)).toEqual(['offsetTable']);
  });

  it.each([
    ['{"offsetTable":{"TG":{0:1}}}', 'offsetTable.TG: key "TG" is not "<topic>@<group>"'],
    ['{"offsetTable":{"a@b@c":{0:1}}}', 'key "a@b@c" is not "<topic>@<group>"'],
    ['{"offsetTable":{"T@G":{x:1}}}', 'offsetTable["T@G"].x: key "x" is not an integer >= 0'],
    ['{"offsetTable":{"T@G":{0:"1"}}}', 'offsetTable["T@G"].0: expected an offset (safe integer), found "1"'],
    ['{"offsetTable":{"T@G":{0:1e300}}}', 'expected an offset (safe integer), found 1e+300'],
    ['{"offsetTable":[]}', 'offsetTable: expected an object, found an array'],
  ])('rejects %s', async (text, message) => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, text);
    const error = await load(memory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect((error as Error).message).toContain(message);
  });

  it('coalesces concurrent persists and ends with the last state', async () => {
    const memory = new MemoryDisk();
    const { disk, reached, release } = holdFirstDatasync(memory);
    const offsets = await load(disk);
    offsets.set('T', 'G', 0, 0);
    const persists = [offsets.persist()];
    await reached;
    for (let n = 1; n <= 1000; n++) {
      offsets.set('T', 'G', n % 4, n);
      persists.push(offsets.persist());
    }
    release();
    await Promise.all(persists);
    expect(disk.replacements(PATH)).toBe(2);
    expect((await load(memory)).queueOffsets('T', 'G')).toEqual(
      new Map([
        [0, 1000],
        [1, 997],
        [2, 998],
        [3, 999],
      ]),
    );
  });

  it('persists a change made while a persist was running', async () => {
    const memory = new MemoryDisk();
    const { disk, reached, release } = holdFirstDatasync(memory);
    const offsets = await load(disk);
    offsets.set('T', 'G', 0, 1);
    const first = offsets.persist();
    await reached;
    offsets.set('T', 'G', 0, 2); // after the first write rendered its text
    release();
    await first;
    expect(offsets.unpersisted).toBe(true);
    await offsets.persist();
    expect(offsets.unpersisted).toBe(false);
    expect((await load(memory)).get('T', 'G', 0)).toBe(2);
  });
});
