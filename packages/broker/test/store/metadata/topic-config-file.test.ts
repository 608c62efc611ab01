import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { MetadataFormatError } from '../../../src/store/metadata/metadata-errors';
import { TOPIC_CONFIG_DEFAULTS, TopicConfigFile } from '../../../src/store/metadata/topic-config-file';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { getText, loaderAt, putText, rocketMqSample, StepClock } from './helpers/files';
import { holdFirstDatasync, ScriptedDisk } from './helpers/scripted-disk';

const PATH = metadataFilePaths('/store').topics;

const load = loaderAt(PATH, TopicConfigFile.load);

describe('TopicConfigFile', () => {
  it('lives at config/topics.json', () => {
    expect(PATH).toBe('/store/config/topics.json');
  });

  it('starts empty when there is no file, with a fresh DataVersion', async () => {
    const clock = new StepClock(1234);
    const topics = await load(new MemoryDisk(), clock);
    expect(topics.loadResult).toEqual({ source: 'none', path: PATH, ignoredFields: [] });
    expect(topics.size).toBe(0);
    expect(topics.dataVersion).toEqual({ timestamp: 1234, counter: 0 });
    expect(topics.unpersisted).toBe(false);
  });

  it('fills defaults on set and moves the DataVersion only on real changes', async () => {
    const clock = new StepClock(1000);
    const topics = await load(new MemoryDisk(), clock);
    clock.nowMs = 2000;
    const stored = topics.set({ topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4 });
    expect(stored).toEqual({
      ...TOPIC_CONFIG_DEFAULTS,
      topicName: 'TopicTest',
      readQueueNums: 4,
      writeQueueNums: 4,
    });
    expect(topics.dataVersion).toEqual({ timestamp: 2000, counter: 1 });

    clock.nowMs = 3000;
    expect(topics.set({ topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4 })).toBe(stored);
    expect(topics.dataVersion).toEqual({ timestamp: 2000, counter: 1 });

    topics.set({ topicName: 'TopicTest', readQueueNums: 8, writeQueueNums: 8, perm: 4 });
    expect(topics.dataVersion).toEqual({ timestamp: 3000, counter: 2 });
    expect(topics.delete('Nope')).toBe(false);
    expect(topics.dataVersion.counter).toBe(2);
    expect(topics.delete('TopicTest')).toBe(true);
    expect(topics.dataVersion).toEqual({ timestamp: 3000, counter: 3 });
    expect(topics.get('TopicTest')).toBeUndefined();
  });

  it('refuses configs Java could not hold', async () => {
    const topics = await load(new MemoryDisk());
    expect(() => topics.set({ topicName: '' })).toThrow(RangeError);
    expect(() => topics.set({ topicName: 'T', readQueueNums: -1 })).toThrow('T: readQueueNums must be');
    expect(() => topics.set({ topicName: 'T', perm: 2 ** 31 })).toThrow(RangeError);
    expect(() => topics.set({ topicName: 'T', readQueueNums: 1.5 })).toThrow(RangeError);
    expect(topics.dataVersion.counter).toBe(0);
  });

  it('persists in RocketMQ’s shape, with fastjson’s key order, and loads it back', async () => {
    const memory = new MemoryDisk();
    const clock = new StepClock(1_700_000_000_000);
    const topics = await load(memory, clock);
    topics.set({ topicName: 'b-topic', readQueueNums: 2, writeQueueNums: 2, order: true });
    topics.set({ topicName: 'a-topic', topicFilterType: 'MULTI_TAG', perm: 7 });
    await topics.persist();

    expect(await getText(memory, PATH)).toBe(
      [
        '{',
        '\t"dataVersion": {',
        '\t\t"counter": 2,',
        '\t\t"timestamp": 1700000000000',
        '\t},',
        '\t"topicConfigTable": {',
        '\t\t"a-topic": {',
        '\t\t\t"order": false,',
        '\t\t\t"perm": 7,',
        '\t\t\t"readQueueNums": 16,',
        '\t\t\t"topicFilterType": "MULTI_TAG",',
        '\t\t\t"topicName": "a-topic",',
        '\t\t\t"topicSysFlag": 0,',
        '\t\t\t"writeQueueNums": 16',
        '\t\t},',
        '\t\t"b-topic": {',
        '\t\t\t"order": true,',
        '\t\t\t"perm": 6,',
        '\t\t\t"readQueueNums": 2,',
        '\t\t\t"topicFilterType": "SINGLE_TAG",',
        '\t\t\t"topicName": "b-topic",',
        '\t\t\t"topicSysFlag": 0,',
        '\t\t\t"writeQueueNums": 2',
        '\t\t}',
        '\t}',
        '}',
      ].join('\n'),
    );

    const reloaded = await load(memory, new StepClock(5));
    expect(reloaded.loadResult.source).toBe('main');
    expect(reloaded.dataVersion).toEqual(topics.dataVersion);
    expect([...reloaded.topics()].sort((a, b) => a.topicName.localeCompare(b.topicName))).toEqual([
      topics.get('a-topic'),
      topics.get('b-topic'),
    ]);
  });

  it('writes nothing when nothing changed since the last persist', async () => {
    const memory = new MemoryDisk();
    const disk = new ScriptedDisk(memory);
    const topics = await load(disk);
    await topics.persist();
    expect(disk.replacements(PATH)).toBe(0);
    topics.set({ topicName: 'T' });
    expect(topics.unpersisted).toBe(true);
    await topics.persist();
    await topics.persist();
    expect(disk.replacements(PATH)).toBe(1);
    expect(topics.unpersisted).toBe(false);
  });

  it('loads a RocketMQ 4.9 topics.json', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, rocketMqSample('topics.json'));
    const topics = await load(memory);
    expect(topics.loadResult).toEqual({ source: 'main', path: PATH, ignoredFields: [] });
    expect(topics.dataVersion).toEqual({ timestamp: 1700000000123, counter: 4 });
    expect(topics.size).toBe(4);
    expect(topics.get('TBW102')).toEqual({
      topicName: 'TBW102',
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 7,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    });
    expect(topics.get('TopicTest')).toMatchObject({
      order: true,
      topicFilterType: 'MULTI_TAG',
      readQueueNums: 4,
    });
    expect(topics.get('%RETRY%please_rename_unique_group_name_4')?.writeQueueNums).toBe(1);
  });

  it('takes Java defaults for missing fields and reports fields it does not model', async () => {
    const memory = new MemoryDisk();
    await putText(
      memory,
      PATH,
      '{"topicConfigTable":{"T":{"perm":2,"attributes":{"+message.type":"FIFO"}},"U":{}},"mappingDataVersion":{}}',
    );
    const topics = await load(memory, new StepClock(42));
    expect(topics.get('T')).toEqual({ ...TOPIC_CONFIG_DEFAULTS, topicName: 'T', perm: 2 });
    expect(topics.get('U')).toEqual({ ...TOPIC_CONFIG_DEFAULTS, topicName: 'U' });
    expect(topics.dataVersion).toEqual({ timestamp: 42, counter: 0 });
    expect(topics.loadResult.ignoredFields).toEqual(['topicConfigTable.T.attributes', 'mappingDataVersion']);
  });

  it('keeps a topic named __proto__', async () => {
    const memory = new MemoryDisk();
    const topics = await load(memory);
    topics.set({ topicName: '__proto__', readQueueNums: 3 });
    await topics.persist();
    expect((await load(memory)).get('__proto__')?.readQueueNums).toBe(3);
  });

  it('falls back to .bak when the main file has the wrong shape, and the next persist repairs it', async () => {
    const memory = new MemoryDisk();
    const topics = await load(memory);
    topics.set({ topicName: 'Kept' });
    await topics.persist();
    topics.set({ topicName: 'Newer' });
    await topics.persist();
    await putText(memory, PATH, '{"topicConfigTable":{"Kept":{"readQueueNums":"4"}}}');

    const restored = await load(memory);
    expect(restored.loadResult.source).toBe('backup');
    expect(restored.loadResult.path).toBe(`${PATH}.bak`);
    const problem = restored.loadResult.mainProblem;
    expect(problem).toBeInstanceOf(MetadataFormatError);
    expect(problem instanceof MetadataFormatError && problem.message).toBe(
      'topicConfigTable.Kept.readQueueNums: expected an integer >= 0 (Java int), found "4"',
    );
    expect([...restored.topics()].map((t) => t.topicName)).toEqual(['Kept']);
    expect(restored.unpersisted).toBe(true);
    await restored.persist();
    expect((await load(memory)).loadResult.source).toBe('main');
    expect(await getText(memory, `${PATH}.bak`)).toContain('"Kept"');
  });

  it('treats a table key that differs from topicName as damage', async () => {
    const memory = new MemoryDisk();
    await putText(memory, PATH, '{"topicConfigTable":{"A":{"topicName":"B"}}}');
    const error = await load(memory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect((error as Error).message).toContain(
      'topicConfigTable.A.topicName: "B" differs from its table key',
    );
    expect((error as Error).message).toContain('start with no topic configs');
  });

  it('coalesces concurrent persists and ends with the last state', async () => {
    const memory = new MemoryDisk();
    const { disk, reached, release } = holdFirstDatasync(memory);
    const topics = await load(disk);
    topics.set({ topicName: 'T', readQueueNums: 0 });
    const persists = [topics.persist()];
    await reached;
    for (let n = 1; n <= 100; n++) {
      topics.set({ topicName: 'T', readQueueNums: n });
      persists.push(topics.persist());
    }
    release();
    await Promise.all(persists);
    expect(disk.replacements(PATH)).toBe(2);
    expect(topics.unpersisted).toBe(false);
    const reloaded = await load(memory);
    expect(reloaded.get('T')?.readQueueNums).toBe(100);
    expect(reloaded.dataVersion).toEqual(topics.dataVersion);
  });
});
