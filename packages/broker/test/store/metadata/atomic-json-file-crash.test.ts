// Power loss at every step of a write, with every way the page cache may have treated the unsynced
// .tmp data (all lost, all kept, torn): a restarted reader must always find the previous or the
// new version, and the new one once the write's rename has happened.

import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { readJsonFile, writeJsonAtomically } from '../../../src/store/metadata/atomic-json-file';
import type { JsonValue } from '../../../src/store/metadata/tolerant-json';
import { PowerLoss, ScriptedDisk, type DiskStep } from './helpers/scripted-disk';

const PATH = '/store/config/consumerOffset.json';

const V0 = { offsetTable: { 'T@G': { 0: 0 } } };
const V1 = { offsetTable: { 'T@G': { 0: 100, 1: 90 } } };
const V2 = { offsetTable: { 'T@G': { 0: 200, 1: 190, 2: 7 }, 'U@G': { 0: 1 } } };
const V3 = { offsetTable: {} };

type Policy = Parameters<MemoryDisk['crash']>[0];
const POLICIES: ReadonlyArray<readonly [string, Policy]> = [
  ['unsynced data lost', undefined],
  ['unsynced data kept', (_path, pending) => ({ writes: pending })],
  ...[0, 1, 9, 40].map(
    (torn) =>
      [
        `last unsynced write torn at ${torn} bytes`,
        (_path: string, pending: number) => ({ writes: pending, tornBytes: torn }),
      ] as const,
  ),
];

async function putRaw(memory: MemoryDisk, path: string, text: string): Promise<void> {
  await memory.mkdirp('/store/config');
  const file = await memory.open(path);
  const bytes = Buffer.from(text);
  await file.truncate(0);
  await file.write(bytes, 0, bytes.length, 0);
  await file.datasync();
  await file.close();
}

/** The disk as the write finds it, and which values a reader may see if the write never finished. */
const SCENARIOS: ReadonlyArray<{
  readonly name: string;
  readonly prepare: (memory: MemoryDisk) => Promise<void>;
  readonly before: JsonValue | undefined;
}> = [
  { name: 'first write of the file', prepare: async () => undefined, before: undefined },
  {
    name: 'file and backup intact',
    prepare: async (memory) => {
      const setup = new ScriptedDisk(memory);
      await writeJsonAtomically(setup, PATH, V0);
      await writeJsonAtomically(setup, PATH, V1);
    },
    before: V1,
  },
  {
    name: 'main file damaged, backup intact',
    prepare: async (memory) => {
      const setup = new ScriptedDisk(memory);
      await writeJsonAtomically(setup, PATH, V0);
      await writeJsonAtomically(setup, PATH, V1);
      await writeJsonAtomically(setup, PATH, V0);
      await putRaw(memory, PATH, '{"offsetTable":{"T@G":{0:1');
    },
    before: V1,
  },
  {
    name: 'main file missing after an earlier crash, junk .tmp',
    prepare: async (memory) => {
      const setup = new ScriptedDisk(memory);
      await writeJsonAtomically(setup, PATH, V0);
      await writeJsonAtomically(setup, PATH, V1);
      await memory.rename(PATH, `${PATH}.bak`);
      await putRaw(memory, `${PATH}.tmp`, '{"offsetTable":{"T@');
    },
    before: V1,
  },
];

async function stepsOfOneWrite(prepare: (memory: MemoryDisk) => Promise<void>): Promise<DiskStep[]> {
  const memory = new MemoryDisk();
  await prepare(memory);
  const disk = new ScriptedDisk(memory);
  await writeJsonAtomically(disk, PATH, V2);
  return disk.steps;
}

describe.each(SCENARIOS)('power loss during a write: $name', ({ prepare, before }) => {
  it.each(POLICIES)('leaves a readable old or new version at every step (%s)', async (_name, policy) => {
    const steps = await stepsOfOneWrite(prepare);
    const commitStep = steps.findIndex((step) => step.op === 'rename' && step.to === PATH);
    expect(commitStep).toBeGreaterThan(0);

    for (let crashAt = 0; crashAt <= steps.length; crashAt++) {
      const memory = new MemoryDisk();
      await prepare(memory);
      const disk = new ScriptedDisk(memory, (step, index) => {
        if (index === crashAt) {
          memory.crash(policy);
          throw new PowerLoss(step);
        }
      });
      const write = writeJsonAtomically(disk, PATH, V2);
      if (crashAt < steps.length) {
        await expect(write).rejects.toBeInstanceOf(PowerLoss);
      } else {
        await write;
        memory.crash(policy);
      }

      // A restarted broker: a fresh reader that knows nothing about the file.
      const read = await readJsonFile(new ScriptedDisk(memory), PATH);
      const where = { crashAt, step: steps[crashAt] ?? 'after the write resolved' };
      if (crashAt > commitStep) {
        expect({ ...where, value: read?.value }).toEqual({ ...where, value: parsed(V2) });
      } else {
        expect({ ...where, ok: [parsed(before), parsed(V2)].some((v) => equal(v, read?.value)) }).toEqual({
          ...where,
          ok: true,
        });
      }

      // ...which can write again, and then reads what it wrote.
      const restarted = new ScriptedDisk(memory);
      await writeJsonAtomically(restarted, PATH, V3);
      expect(await readJsonFile(new ScriptedDisk(memory), PATH)).toMatchObject({ source: 'main', value: V3 });
    }
  });
});

/** What a value reads back as (integer map keys become strings). */
function parsed(value: JsonValue | undefined): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
