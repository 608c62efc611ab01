import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Disk } from '../../../../src/store/disk/disk';
import type { MetadataClock, MetadataFileOptions } from '../../../../src/store/metadata/metadata-file';

/** A RocketMQ-shaped sample from fixtures/rocketmq-4.9 (see fixtures/README.md). */
export function rocketMqSample(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', 'rocketmq-4.9', `${name}.txt`), 'utf8');
}

/** Puts `text` at `path` durably, as if another program (or RocketMQ) had written it. */
export async function putText(disk: Disk, path: string, text: string): Promise<void> {
  await disk.mkdirp(dirname(path));
  const file = await disk.open(path);
  const bytes = Buffer.from(text, 'utf8');
  await file.truncate(0);
  await file.write(bytes, 0, bytes.length, 0);
  await file.datasync();
  await file.close();
}

export async function getText(disk: Disk, path: string): Promise<string> {
  const file = await disk.openExisting(path);
  const bytes = Buffer.alloc(await file.size());
  await file.read(bytes, 0, bytes.length, 0);
  await file.close();
  return bytes.toString('utf8');
}

/** A settable clock: the stores only need `now()`. */
export class StepClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  now(): number {
    return this.nowMs;
  }
}

/** `load(disk, clock?)` for the store kept at `path`; the clock defaults to a fresh StepClock. */
export function loaderAt<T>(
  path: string,
  load: (options: MetadataFileOptions) => Promise<T>,
): (disk: Disk, clock?: MetadataClock) => Promise<T> {
  return (disk, clock = new StepClock()) => load({ disk, path, clock });
}
