import { crc32 } from 'node:zlib';
import { readJavaLong, writeJavaLong } from '../../protocol/message/java-long';
import type { Disk, DiskFile } from '../disk/disk';
import {
  CHECKPOINT_FILE_SIZE,
  CLEAN_END_OFFSET_AT,
  CRC_AT,
  CRC_COVERED_BYTES,
  DISPATCHED_DURABLE_OFFSET_AT,
  INDEX_MSG_TIMESTAMP_AT,
  KEEL_CHECKPOINT_MAGIC,
  KEEL_CHECKPOINT_VERSION,
  KEEL_MAGIC_AT,
  KEEL_VERSION_AT,
  LOGICS_MSG_TIMESTAMP_AT,
  PHYSIC_MSG_TIMESTAMP_AT,
} from './checkpoint-layout';

export interface CheckpointState {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  dispatchedDurableOffset: number;
  /** -1 unless the store was shut down cleanly. */
  cleanEndOffset: number;
}

const EMPTY: CheckpointState = {
  physicMsgTimestamp: 0,
  logicsMsgTimestamp: 0,
  indexMsgTimestamp: 0,
  dispatchedDurableOffset: 0,
  cleanEndOffset: -1,
};

/** The checkpoint file; see checkpoint-layout.ts for the format. */
export class StoreCheckpoint {
  readonly #file: DiskFile;
  readonly #page = Buffer.alloc(CHECKPOINT_FILE_SIZE);
  #state: CheckpointState;
  /** False when the file was missing, torn or written by RocketMQ (no Keel extension). */
  readonly hadValidExtension: boolean;

  private constructor(file: DiskFile, state: CheckpointState, valid: boolean) {
    this.#file = file;
    this.#state = state;
    this.hadValidExtension = valid;
  }

  static async open(disk: Disk, path: string): Promise<StoreCheckpoint> {
    const file = await disk.open(path);
    const page = Buffer.alloc(CHECKPOINT_FILE_SIZE);
    const read = await file.read(page, 0, CHECKPOINT_FILE_SIZE, 0);
    if (read < CRC_AT + 4) return new StoreCheckpoint(file, { ...EMPTY }, false);
    const timestamps = {
      physicMsgTimestamp: readJavaLong(page, PHYSIC_MSG_TIMESTAMP_AT),
      logicsMsgTimestamp: readJavaLong(page, LOGICS_MSG_TIMESTAMP_AT),
      indexMsgTimestamp: readJavaLong(page, INDEX_MSG_TIMESTAMP_AT),
    };
    const valid =
      page.readInt32BE(KEEL_MAGIC_AT) === KEEL_CHECKPOINT_MAGIC &&
      page.readInt32BE(KEEL_VERSION_AT) === KEEL_CHECKPOINT_VERSION &&
      page.readUInt32BE(CRC_AT) === crc32(page.subarray(0, CRC_COVERED_BYTES));
    const state = valid
      ? {
          ...timestamps,
          dispatchedDurableOffset: readJavaLong(page, DISPATCHED_DURABLE_OFFSET_AT),
          cleanEndOffset: readJavaLong(page, CLEAN_END_OFFSET_AT),
        }
      : { ...EMPTY, ...timestamps };
    return new StoreCheckpoint(file, state, valid);
  }

  get state(): Readonly<CheckpointState> {
    return this.#state;
  }

  /** Writes and makes durable a new state. */
  async save(update: Partial<CheckpointState>): Promise<void> {
    const state = { ...this.#state, ...update };
    const page = this.#page;
    writeJavaLong(page, PHYSIC_MSG_TIMESTAMP_AT, state.physicMsgTimestamp);
    writeJavaLong(page, LOGICS_MSG_TIMESTAMP_AT, state.logicsMsgTimestamp);
    writeJavaLong(page, INDEX_MSG_TIMESTAMP_AT, state.indexMsgTimestamp);
    page.writeInt32BE(KEEL_CHECKPOINT_MAGIC, KEEL_MAGIC_AT);
    page.writeInt32BE(KEEL_CHECKPOINT_VERSION, KEEL_VERSION_AT);
    writeJavaLong(page, DISPATCHED_DURABLE_OFFSET_AT, state.dispatchedDurableOffset);
    writeJavaLong(page, CLEAN_END_OFFSET_AT, state.cleanEndOffset);
    page.writeUInt32BE(crc32(page.subarray(0, CRC_COVERED_BYTES)), CRC_AT);
    await this.#file.write(page, 0, CHECKPOINT_FILE_SIZE, 0);
    await this.#file.datasync();
    this.#state = state;
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
