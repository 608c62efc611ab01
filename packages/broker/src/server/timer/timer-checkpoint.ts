// timer/checkpoint: how far the timer service has got, as JSON written atomically (temp file,
// fdatasync, rename, directory sync; the previous version kept as checkpoint.bak, see
// store/metadata/atomic-json-file.ts):
//
//   {"version":1,"bucketMs":60000,"enqueueOffset":1234,"deliveredThroughMs":1700000059999}
//
// enqueueOffset: every entry of the timer queue below it is filed in a bucket file, durably.
// deliveredThroughMs: every one of those entries due at or before it has been delivered, durably
// (-1: nothing yet). Entries at or past enqueueOffset are not covered, whatever their due time.

import type { Disk } from '../../store/disk/disk';
import { readJsonFile, writeJsonAtomically } from '../../store/metadata/atomic-json-file';
import { expectObject, isJavaLong } from '../../store/metadata/json-fields';
import { MetadataFormatError } from '../../store/metadata/metadata-errors';
import type { JsonValue } from '../../store/metadata/tolerant-json';
import { TimerErrorCodes, TimerFilesError } from './timer-errors';

export const TIMER_CHECKPOINT_VERSION = 1;

export interface TimerCheckpointState {
  readonly bucketMs: number;
  readonly enqueueOffset: number;
  readonly deliveredThroughMs: number;
}

export interface LoadedTimerCheckpoint {
  readonly state: TimerCheckpointState;
  /** Set when the main file was missing or damaged and its backup was used. */
  readonly backupBecause?: string;
}

export function saveTimerCheckpoint(disk: Disk, path: string, state: TimerCheckpointState): Promise<void> {
  return writeJsonAtomically(disk, path, { version: TIMER_CHECKPOINT_VERSION, ...state });
}

/**
 * The saved progress, or undefined when there is none (a new store, or the files were deleted to
 * rebuild). Throws TimerFilesError when neither copy can be read: rebuilding would deliver again
 * every timed message still in the commit log whose time has passed, which is the operator's call.
 */
export async function loadTimerCheckpoint(
  disk: Disk,
  path: string,
  bucketMs: number,
  rebuildHint: string,
): Promise<LoadedTimerCheckpoint | undefined> {
  let read;
  try {
    read = await readJsonFile(disk, path, { decode: decodeCheckpoint, description: 'timer checkpoint' });
  } catch (error) {
    throw new TimerFilesError(
      TimerErrorCodes.CHECKPOINT_UNUSABLE,
      `${path} and its backup are unreadable, so the timer service cannot tell which timed messages it ` +
        `has delivered. Restore ${path} from a copy, or ${rebuildHint}`,
      { cause: error },
    );
  }
  if (read === undefined) return undefined;
  if (read.value.bucketMs !== bucketMs) {
    throw new TimerFilesError(
      TimerErrorCodes.LAYOUT_MISMATCH,
      `${read.path} was written with ${read.value.bucketMs} ms timer buckets, this broker uses ${bucketMs} ms; ` +
        `run the broker version that wrote it until its timed messages are delivered, or ${rebuildHint}`,
    );
  }
  if (read.source === 'main') return { state: read.value };
  const why = read.mainProblem === 'missing' ? 'missing' : read.mainProblem.message;
  return { state: read.value, backupBecause: why };
}

function decodeCheckpoint(json: JsonValue): TimerCheckpointState {
  const object = expectObject(json, 'timer checkpoint');
  if (object.version !== TIMER_CHECKPOINT_VERSION) {
    throw new MetadataFormatError(
      `version: expected ${TIMER_CHECKPOINT_VERSION}, found ${JSON.stringify(object.version)}`,
    );
  }
  const field = (name: string, min: number): number => {
    const value = object[name];
    if (!isJavaLong(value) || value < min) {
      throw new MetadataFormatError(`${name}: expected an integer ≥ ${min}, found ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    bucketMs: field('bucketMs', 1),
    enqueueOffset: field('enqueueOffset', 0),
    deliveredThroughMs: field('deliveredThroughMs', -1),
  };
}
