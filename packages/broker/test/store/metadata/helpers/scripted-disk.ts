// A Disk wrapper for metadata tests: it records every step that changes the disk and lets a test
// act before each one — stop there with a simulated power loss, or hold it until released.

import type { Disk, DiskFile, DiskLock } from '../../../../src/store/disk/disk';

export type DiskStepOp =
  'open' | 'truncate' | 'write' | 'datasync' | 'rename' | 'syncDirectory' | 'mkdirp' | 'remove';

export interface DiskStep {
  readonly op: DiskStepOp;
  readonly path: string;
  /** Target of a rename. */
  readonly to?: string;
}

/** Runs before step number `index` (0-based); may throw to make the step fail, or wait. */
export type BeforeStep = (step: DiskStep, index: number) => void | Promise<void>;

export class ScriptedDisk implements Disk {
  readonly steps: DiskStep[] = [];
  readonly #inner: Disk;
  readonly #before: BeforeStep | undefined;

  constructor(inner: Disk, before?: BeforeStep) {
    this.#inner = inner;
    this.#before = before;
  }

  /** How many times `path` was replaced by a rename, i.e. how many writes of it completed step 3. */
  replacements(path: string): number {
    return this.steps.filter((step) => step.op === 'rename' && step.to === path).length;
  }

  async open(path: string): Promise<DiskFile> {
    await this.#step({ op: 'open', path });
    return this.#wrap(await this.#inner.open(path));
  }

  async openExisting(path: string): Promise<DiskFile> {
    return this.#wrap(await this.#inner.openExisting(path));
  }

  lock(path: string): Promise<DiskLock> {
    return this.#inner.lock(path);
  }

  async mkdirp(path: string): Promise<void> {
    await this.#step({ op: 'mkdirp', path });
    await this.#inner.mkdirp(path);
  }

  list(path: string): Promise<string[]> {
    return this.#inner.list(path);
  }

  exists(path: string): Promise<boolean> {
    return this.#inner.exists(path);
  }

  async remove(path: string): Promise<void> {
    await this.#step({ op: 'remove', path });
    await this.#inner.remove(path);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#step({ op: 'rename', path: from, to });
    await this.#inner.rename(from, to);
  }

  async syncDirectory(path: string): Promise<void> {
    await this.#step({ op: 'syncDirectory', path });
    await this.#inner.syncDirectory(path);
  }

  modifiedAtMs(path: string): Promise<number> {
    return this.#inner.modifiedAtMs(path);
  }

  usedSpaceRatio(path: string): Promise<number> {
    return this.#inner.usedSpaceRatio(path);
  }

  async #step(step: DiskStep): Promise<void> {
    const index = this.steps.length;
    this.steps.push(step);
    await this.#before?.(step, index);
  }

  #wrap(file: DiskFile): DiskFile {
    const step = (op: DiskStepOp): Promise<void> => this.#step({ op, path: file.path });
    return {
      path: file.path,
      write: async (buffer, offset, length, position) => {
        await step('write');
        await file.write(buffer, offset, length, position);
      },
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      datasync: async () => {
        await step('datasync');
        await file.datasync();
      },
      truncate: async (size) => {
        await step('truncate');
        await file.truncate(size);
      },
      size: () => file.size(),
      close: () => file.close(),
    };
  }
}

/** What a test throws to stop a write where the power went out. */
export class PowerLoss extends Error {
  constructor(readonly step: DiskStep) {
    super(`simulated power loss before ${step.op} ${step.path}`);
    this.name = 'PowerLoss';
  }
}

/** A promise with its resolve function, for holding a step until the test releases it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((onResolve) => {
    resolve = onResolve;
  });
  return { promise, resolve };
}

/** A ScriptedDisk that holds the first write at its first datasync, after the write rendered its text. */
export interface HeldDisk {
  readonly disk: ScriptedDisk;
  /** Resolves when the first datasync is reached (and held). */
  readonly reached: Promise<void>;
  /** Lets the held datasync, and everything after it, go on. */
  readonly release: () => void;
}

export function holdFirstDatasync(inner: Disk): HeldDisk {
  const reached = deferred();
  const release = deferred();
  let holding = false;
  const disk = new ScriptedDisk(inner, async (step) => {
    if (step.op === 'datasync' && !holding) {
      holding = true;
      reached.resolve();
      await release.promise;
    }
  });
  return { disk, reached: reached.promise, release: () => release.resolve() };
}
