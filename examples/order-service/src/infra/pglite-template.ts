// Opening an embedded PGlite database quickly. A new PGlite data directory means running initdb
// in WebAssembly: seconds (6 s of a 2-core machine's time for the first, under load). A directory
// loaded from a dump of a pristine one takes under a second. So the first new database of a run
// is made with initdb and dumped, and later ones (the second service, and later runs: the dump is
// kept in the OS temp directory per PGlite version) are loaded from the dump.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

function pgliteVersion(): string {
  // The package does not export its package.json; it sits one level above the resolved entry.
  const packageJson = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

export function pgliteTemplatePath(): string {
  return join(tmpdir(), `keel-example-pglite-${pgliteVersion()}.tar`);
}

/** Opens the PGlite database in `directory`, creating it (from the template when there is one). */
export async function openPGlite(directory: string): Promise<PGlite> {
  const isNew = !existsSync(directory) || readdirSync(directory).length === 0;
  if (!isNew) return PGlite.create({ dataDir: directory });
  const template = pgliteTemplatePath();
  if (existsSync(template)) {
    try {
      return await PGlite.create({ dataDir: directory, loadDataDir: new Blob([readFileSync(template)]) });
    } catch (error: unknown) {
      throw new Error(`could not load the PGlite template ${template}; delete it to have it made again`, {
        cause: error,
      });
    }
  }
  const pglite = await PGlite.create({ dataDir: directory });
  try {
    const dump = await pglite.dumpDataDir('none');
    // Written under a temporary name and renamed: a concurrent run never reads half of it.
    const partial = `${template}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, template);
  } catch (error: unknown) {
    await pglite.close();
    throw error;
  }
  return pglite;
}
