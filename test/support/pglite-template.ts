// Fresh PGlite instances without paying for initdb each time.
//
// Creating a PGlite runs initdb inside WebAssembly: about 4-5 s on our machines, per suite.
// Loading a data directory that initdb already produced takes about 1.5 s. So the first suite that
// needs a PGlite dumps its pristine instance, before using it, to one template per PGlite version in
// the OS temp directory, kept across runs; later suites load in-memory copies of it. The file is
// written under a temporary name and renamed, so a concurrent worker never reads half of one.

import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

function pgliteVersion(): string {
  // The package does not export its package.json; it sits one level above the resolved entry.
  const packageJson = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const parsed: unknown = JSON.parse(readFileSync(packageJson, 'utf8'));
  const version = (parsed as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error(`no version in ${packageJson}`);
  return version;
}

/** Where the template of the installed PGlite version lives. */
export function pgliteTemplatePath(): string {
  return join(tmpdir(), `keel-test-pglite-${pgliteVersion()}.tar`);
}

/** A new, empty, in-memory PGlite (PostgreSQL in WebAssembly). The caller closes it. */
export async function createTestPGlite(): Promise<PGlite> {
  const path = pgliteTemplatePath();
  if (existsSync(path)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(path)]) });
    } catch (error: unknown) {
      throw new Error(`could not load the PGlite template ${path}; delete it to have it rebuilt`, {
        cause: error,
      });
    }
  }
  const pglite = await PGlite.create();
  try {
    const dump = await pglite.dumpDataDir('none');
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, path);
  } catch (error: unknown) {
    await pglite.close();
    throw error;
  }
  return pglite;
}
