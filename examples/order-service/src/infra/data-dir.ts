// The example's data directory: the broker's store, the embedded databases and the log. Every run
// starts from an empty one. A directory the user names is emptied only if an earlier run of the
// example made it (a marker file says so), so a typo cannot wipe someone's files.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MARKER = '.keel-example';

export interface DataDir {
  readonly path: string;
  /** True for the temporary directory made when none was named: removed after a successful run. */
  readonly temporary: boolean;
}

export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export function prepareDataDir(named: string | undefined): DataDir {
  if (named === undefined) {
    const path = mkdtempSync(join(tmpdir(), 'keel-example-'));
    writeFileSync(join(path, MARKER), '');
    return { path, temporary: true };
  }
  const path = resolve(named);
  if (existsSync(path)) {
    const entries = readdirSync(path);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new DataDirError(
        `--data-dir ${path} is not empty and was not made by the example; name a new or empty directory ` +
          '(each run empties its data directory)',
      );
    }
    for (const entry of entries) rmSync(join(path, entry), { recursive: true, force: true });
  }
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, MARKER), '');
  return { path, temporary: false };
}

export function removeDataDir(dir: DataDir): void {
  rmSync(dir.path, { recursive: true, force: true });
}
