import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { NodeDisk } from '../../../src/store/disk/node-disk';
import type { Disk } from '../../../src/store/disk/disk';
import { readJsonFile, writeJsonAtomically } from '../../../src/store/metadata/atomic-json-file';
import { MetadataFormatError } from '../../../src/store/metadata/metadata-errors';
import type { JsonValue } from '../../../src/store/metadata/tolerant-json';
import { StoreCorruptionError } from '../../../src/store/store-errors';
import { holdFirstDatasync, ScriptedDisk } from './helpers/scripted-disk';

const PATH = '/store/config/topics.json';
const BAK = `${PATH}.bak`;
const TMP = `${PATH}.tmp`;

async function put(disk: Disk, path: string, text: string): Promise<void> {
  await disk.mkdirp('/store/config');
  const file = await disk.open(path);
  await file.truncate(0);
  const bytes = Buffer.from(text, 'utf8');
  await file.write(bytes, 0, bytes.length, 0);
  await file.datasync();
  await file.close();
}

async function text(disk: Disk, path: string): Promise<string> {
  const file = await disk.openExisting(path);
  const bytes = Buffer.alloc(await file.size());
  await file.read(bytes, 0, bytes.length, 0);
  await file.close();
  return bytes.toString('utf8');
}

/** Reads through a fresh wrapper, as a restarted process would (no cached knowledge of the file). */
function readFresh(memory: MemoryDisk): ReturnType<typeof readJsonFile> {
  return readJsonFile(new ScriptedDisk(memory), PATH);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('writeJsonAtomically / readJsonFile', () => {
  it('round-trips a value, creating the directory, and writes standard JSON', async () => {
    const memory = new MemoryDisk();
    const disk = new ScriptedDisk(memory);
    await writeJsonAtomically(disk, PATH, { offsetTable: { 'T@G': { 0: 12, 1: 30 } } });

    expect(await readFresh(memory)).toEqual({
      source: 'main',
      path: PATH,
      value: { offsetTable: { 'T@G': { '0': 12, '1': 30 } } },
    });
    expect(JSON.parse(await text(memory, PATH))).toEqual({ offsetTable: { 'T@G': { '0': 12, '1': 30 } } });
    expect(disk.steps.map((s) => `${s.op} ${s.path}${s.to === undefined ? '' : ` -> ${s.to}`}`)).toEqual([
      'mkdirp /store/config',
      'syncDirectory /store',
      `open ${TMP}`,
      `truncate ${TMP}`,
      `write ${TMP}`,
      `datasync ${TMP}`,
      `rename ${TMP} -> ${PATH}`,
      'syncDirectory /store/config',
    ]);
  });

  it('keeps the previous version as .bak', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    await writeJsonAtomically(memory, PATH, { v: 2 });
    await writeJsonAtomically(memory, PATH, { v: 3 });
    expect(JSON.parse(await text(memory, PATH))).toEqual({ v: 3 });
    expect(JSON.parse(await text(memory, BAK))).toEqual({ v: 2 });
    expect(await memory.exists(TMP)).toBe(false);
  });

  it('resolves undefined when neither the file nor its backup exists', async () => {
    expect(await readFresh(new MemoryDisk())).toBeUndefined();
  });

  it('falls back to .bak when the main file is missing', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    await writeJsonAtomically(memory, PATH, { v: 2 });
    await memory.remove(PATH);
    expect(await readFresh(memory)).toEqual({
      source: 'backup',
      path: BAK,
      value: { v: 1 },
      mainProblem: 'missing',
    });
  });

  it('falls back to .bak for every truncation of the main file and for garbage', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    await writeJsonAtomically(memory, PATH, { dataVersion: { counter: 2 }, table: { a: [1, 2, 'x'] } });
    const good = await text(memory, PATH);
    const damaged = [
      ...Array.from({ length: good.length }, (_, n) => good.slice(0, n)),
      '\u0000'.repeat(good.length),
      good.replace('{', '<'),
      good + 'garbage',
    ];
    for (const content of damaged) {
      await put(memory, PATH, content);
      const read = await readFresh(memory);
      expect(read).toMatchObject({ source: 'backup', value: { v: 1 } });
      expect(read?.source === 'backup' && read.mainProblem).toBeInstanceOf(MetadataFormatError);
    }
  });

  it('treats invalid UTF-8 as damage', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    await writeJsonAtomically(memory, PATH, { v: 2 });
    const file = await memory.open(PATH);
    await file.write(Uint8Array.of(0x22, 0xc3, 0x28, 0x22), 0, 4, 0);
    await file.truncate(4);
    await file.close();
    const read = await readFresh(memory);
    expect(read).toMatchObject({ source: 'backup', value: { v: 1 } });
    expect(read?.source === 'backup' && read.mainProblem !== 'missing' && read.mainProblem.message).toBe(
      'the file is not valid UTF-8',
    );
  });

  it('falls back when decode rejects the shape, but lets other decode errors through', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    await writeJsonAtomically(memory, PATH, { v: 'two' });
    const decode = (json: JsonValue): number => {
      const v = (json as { v: unknown }).v;
      if (typeof v !== 'number') throw new MetadataFormatError('v: expected a number');
      return v;
    };
    expect(await readJsonFile(new ScriptedDisk(memory), PATH, { decode })).toMatchObject({
      source: 'backup',
      value: 1,
    });

    const bug = new TypeError('a bug in decode');
    const failing = readJsonFile(new ScriptedDisk(memory), PATH, {
      decode: () => {
        throw bug;
      },
    });
    expect(await rejection(failing)).toBe(bug);
  });

  it('throws StoreCorruptionError naming both files and the fix when no copy is usable', async () => {
    const memory = new MemoryDisk();
    await put(memory, PATH, '{"v":');
    await put(memory, BAK, '');
    const error = await rejection(
      readJsonFile(new ScriptedDisk(memory), PATH, { description: 'topic configs' }),
    );
    expect(error).toBeInstanceOf(StoreCorruptionError);
    const corruption = error as StoreCorruptionError;
    expect(corruption.code).toBe('STORE_CORRUPTION');
    expect(corruption.retriable).toBe(false);
    expect(corruption.message).toBe(
      `${PATH}: no usable copy of the topic configs: ${PATH}: line 1, column 6: the document ends where a value ` +
        `was expected; ${BAK}: line 1, column 1: the document is empty. Fix: restore ${PATH} from a copy (for ` +
        `example the slave broker's), or delete both files to start with no topic configs (what they held is lost).`,
    );
    expect(corruption.cause).toBeInstanceOf(AggregateError);
  });

  it.each([
    ['a damaged main file and no backup', '{"v":', undefined],
    ['no main file and a damaged backup', undefined, '{"v":'],
  ])('throws StoreCorruptionError for %s', async (_name, main, backup) => {
    const memory = new MemoryDisk();
    if (main !== undefined) await put(memory, PATH, main);
    if (backup !== undefined) await put(memory, BAK, backup);
    const error = await rejection(readFresh(memory));
    expect(error).toBeInstanceOf(StoreCorruptionError);
    expect((error as StoreCorruptionError).cause).toBeInstanceOf(MetadataFormatError);
  });

  it('never rotates a damaged main file over a good backup', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(new ScriptedDisk(memory), PATH, { v: 1 });
    await writeJsonAtomically(new ScriptedDisk(memory), PATH, { v: 2 });
    await put(memory, PATH, '{"v":2'); // damaged after the fact

    // A writer that never read the file inspects it first; one that read it already knows.
    const uninformed = new ScriptedDisk(memory);
    await writeJsonAtomically(uninformed, PATH, { v: 3 });
    expect(uninformed.steps.filter((s) => s.op === 'rename')).toEqual([
      { op: 'rename', path: TMP, to: PATH },
    ]);
    expect(JSON.parse(await text(memory, BAK))).toEqual({ v: 1 });

    await put(memory, PATH, '{"v":3');
    const informed = new ScriptedDisk(memory);
    expect(await readJsonFile(informed, PATH)).toMatchObject({ source: 'backup', value: { v: 1 } });
    await writeJsonAtomically(informed, PATH, { v: 4 });
    expect(JSON.parse(await text(memory, BAK))).toEqual({ v: 1 });
    expect(await readFresh(memory)).toMatchObject({ source: 'main', value: { v: 4 } });
  });

  it('overwrites a longer .tmp left behind by a crash', async () => {
    const memory = new MemoryDisk();
    await put(memory, TMP, JSON.stringify({ leftover: 'x'.repeat(100) }));
    await writeJsonAtomically(memory, PATH, { v: 1 });
    expect(await readFresh(memory)).toMatchObject({ source: 'main', value: { v: 1 } });
  });

  it('rejects a value JSON cannot represent without touching the disk', async () => {
    const disk = new ScriptedDisk(new MemoryDisk());
    await expect(writeJsonAtomically(disk, PATH, { n: 1n })).rejects.toThrow(TypeError);
    await expect(writeJsonAtomically(disk, PATH, undefined)).rejects.toThrow(
      'cannot write undefined as JSON',
    );
    expect(disk.steps).toEqual([]);
  });

  it('coalesces a burst of writes into one and keeps the last value', async () => {
    const memory = new MemoryDisk();
    const disk = new ScriptedDisk(memory);
    const writes = Array.from({ length: 100 }, (_, i) => writeJsonAtomically(disk, PATH, { v: i }));
    await Promise.all(writes);
    expect(disk.replacements(PATH)).toBe(1);
    expect(await readFresh(memory)).toMatchObject({ value: { v: 99 } });
  });

  it('queues writes that arrive during a write into one more write, without interleaving', async () => {
    const memory = new MemoryDisk();
    const { disk, reached, release } = holdFirstDatasync(memory);
    const first = writeJsonAtomically(disk, PATH, { v: 0 });
    await reached;
    const later = Array.from({ length: 50 }, (_, i) => writeJsonAtomically(disk, PATH, { v: i + 1 }));
    release();
    await Promise.all([first, ...later]);

    expect(disk.replacements(PATH)).toBe(2);
    expect(await readFresh(memory)).toMatchObject({ value: { v: 50 } });
    // Each write runs from opening the .tmp to syncing the directory before the next one opens.
    const ops = disk.steps.filter((s) => s.op !== 'mkdirp').map((s) => s.op);
    const oneWrite = ['open', 'truncate', 'write', 'datasync'];
    expect(ops.slice(1)).toEqual([
      ...oneWrite,
      'rename',
      'syncDirectory',
      ...oneWrite,
      'rename',
      'rename',
      'syncDirectory',
    ]);
  });

  it('reports a failed write to its callers and recovers on the next one', async () => {
    const memory = new MemoryDisk();
    await writeJsonAtomically(memory, PATH, { v: 1 });
    let failures = 1;
    const disk = new ScriptedDisk(memory, (step) => {
      if (step.op === 'rename' && step.to === PATH && failures-- > 0) throw new Error('EIO: injected');
    });
    const [a, b] = [writeJsonAtomically(disk, PATH, { v: 2 }), writeJsonAtomically(disk, PATH, { v: 3 })];
    await expect(a).rejects.toThrow('EIO: injected');
    await expect(b).rejects.toThrow('EIO: injected');
    // The failed write had moved v1 to .bak and left no main file; the retry must not lose v1.
    expect(await readFresh(memory)).toMatchObject({ source: 'backup', value: { v: 1 } });
    await writeJsonAtomically(disk, PATH, { v: 4 });
    expect(await readFresh(memory)).toMatchObject({ source: 'main', value: { v: 4 } });
    expect(JSON.parse(await text(memory, BAK))).toEqual({ v: 1 });
  });

  describe('on the real file system', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keel-metadata-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes, rotates and reads back', async () => {
      const disk = new NodeDisk();
      const path = join(dir, 'config', 'consumerOffset.json');
      await writeJsonAtomically(disk, path, { offsetTable: { 'T@G': { 0: 1 } } });
      await writeJsonAtomically(disk, path, { offsetTable: { 'T@G': { 0: 2 } } });
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ offsetTable: { 'T@G': { '0': 2 } } });
      expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toEqual({
        offsetTable: { 'T@G': { '0': 1 } },
      });
      expect(await readJsonFile(new NodeDisk(), path)).toMatchObject({ source: 'main' });
    });

    it('reads a missing file as absent', async () => {
      expect(await readJsonFile(new NodeDisk(), join(dir, 'config', 'topics.json'))).toBeUndefined();
    });
  });
});
