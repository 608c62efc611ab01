/**
 * The `checkpoint` file: one 4 KiB page, RocketMQ's three timestamps first (so RocketMQ tools read
 * it), then Keel's extension, which RocketMQ ignores:
 *
 *   0        8        16       24     28       32                40              48     52
 *   +--------+--------+--------+------+--------+-----------------+---------------+------+---- … 4096
 *   |physic  |logics  |index   |magic |version |dispatchedDurable|cleanEndOffset |crc32 | zeros
 *   |ts i64  |ts i64  |ts i64  |i32   |i32     |offset i64       |i64 (-1 = none)|i32   |
 *   +--------+--------+--------+------+--------+-----------------+---------------+------+---- …
 *
 * dispatchedDurableOffset: every commit-log record below it is durable, and so are its consume-queue
 * and index entries; crash recovery re-verifies and re-dispatches only from there.
 * cleanEndOffset: the end of the commit log, written at a clean shutdown and -1 while running, so
 * a clean restart needs no scan at all. crc32 covers bytes [0, 48): a torn checkpoint write is
 * detected and recovery then falls back to a full scan.
 */
export const CHECKPOINT_FILE_SIZE = 4096;
export const PHYSIC_MSG_TIMESTAMP_AT = 0;
export const LOGICS_MSG_TIMESTAMP_AT = 8;
export const INDEX_MSG_TIMESTAMP_AT = 16;
export const KEEL_MAGIC_AT = 24;
export const KEEL_VERSION_AT = 28;
export const DISPATCHED_DURABLE_OFFSET_AT = 32;
export const CLEAN_END_OFFSET_AT = 40;
export const CRC_AT = 48;
export const CRC_COVERED_BYTES = CRC_AT;

/** "KEEL" in ASCII. */
export const KEEL_CHECKPOINT_MAGIC = 0x4b45454c;
export const KEEL_CHECKPOINT_VERSION = 1;

const layoutIsConsistent =
  LOGICS_MSG_TIMESTAMP_AT === PHYSIC_MSG_TIMESTAMP_AT + 8 &&
  INDEX_MSG_TIMESTAMP_AT === LOGICS_MSG_TIMESTAMP_AT + 8 &&
  KEEL_MAGIC_AT === INDEX_MSG_TIMESTAMP_AT + 8 &&
  KEEL_VERSION_AT === KEEL_MAGIC_AT + 4 &&
  DISPATCHED_DURABLE_OFFSET_AT === KEEL_VERSION_AT + 4 &&
  CLEAN_END_OFFSET_AT === DISPATCHED_DURABLE_OFFSET_AT + 8 &&
  CRC_AT === CLEAN_END_OFFSET_AT + 8 &&
  CRC_AT + 4 <= CHECKPOINT_FILE_SIZE;
if (!layoutIsConsistent) throw new Error('checkpoint layout constants disagree');
