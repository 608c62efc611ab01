// The pid file a running server keeps in its data directory, so that `keel shutdown` can find it
// (RocketMQ's mqshutdown greps `ps` instead, which cannot tell two brokers on one host apart).

import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeelError } from '../common/errors';

export const PID_FILE_INVALID = 'PID_FILE_INVALID';

export class PidFileInvalidError extends KeelError {
  constructor(path: string, content: string) {
    super(
      PID_FILE_INVALID,
      `${path} does not hold a process id (found '${content.trim().slice(0, 40)}'); delete it`,
    );
  }
}

/**
 * Written once the server runs, so a failed start leaves no file behind. Through a temporary file
 * and a rename, so `keel shutdown` never reads a file that exists but is still empty.
 */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${pid}.tmp`;
  await writeFile(temporary, `${pid}\n`);
  await rename(temporary, path);
}

/** The process id in the file, or undefined if there is no file. */
export async function readPidFile(path: string): Promise<number | undefined> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error: unknown) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const pid = Number(content.trim());
  if (!/^\d+$/.test(content.trim()) || !Number.isSafeInteger(pid) || pid < 1) {
    throw new PidFileInvalidError(path, content);
  }
  return pid;
}

/**
 * Removes the file if it still names `pid`: if another server has taken the data directory over
 * meanwhile (after this one was interrupted), its file stays. Returns whether it removed it.
 */
export async function removePidFile(path: string, pid: number): Promise<boolean> {
  let current: number | undefined;
  try {
    current = await readPidFile(path);
  } catch (error: unknown) {
    if (error instanceof PidFileInvalidError) return false;
    throw error;
  }
  if (current !== pid) return false;
  await unlink(path);
  return true;
}

// Not `instanceof Error`: errors from Node's built-ins may come from another realm (e.g. a test VM).
function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
