// A slave's intake of transfer frames: the master cuts its log into frames at any byte, so a
// record may arrive in pieces. Frames must follow each other without gaps; their bytes are kept
// until they complete a record, then handed to the store, which verifies and appends whole records
// at the master's offsets (MessageStore.appendReplicated).

import type { MessageStore } from '../../store/message-store';
import { HaError, HaErrorCodes } from './ha-errors';

export class ReplicaReceiver {
  readonly #store: Pick<MessageStore, 'appendReplicated'>;
  readonly #chunks: Buffer[] = [];
  /** Log offset of the first buffered byte. */
  #start = 0;
  #buffered = 0;
  /** The buffered bytes must reach this many before the store can use them. */
  #needed = 0;
  #expected: number | undefined;

  constructor(store: Pick<MessageStore, 'appendReplicated'>) {
    this.#store = store;
  }

  /** Bytes held back: the start of a record whose rest has not arrived. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** A new connection: the master starts again from the slave's report. */
  reset(): void {
    this.#chunks.length = 0;
    this.#buffered = 0;
    this.#needed = 0;
    this.#expected = undefined;
  }

  /** Takes one frame's data (`masterOffset` = offset of data[0]); rejects when it cannot be used. */
  async accept(masterOffset: number, data: Buffer): Promise<void> {
    if (this.#expected !== undefined && masterOffset !== this.#expected) {
      throw new HaError(
        HaErrorCodes.PROTOCOL,
        `transfer frame at master offset ${masterOffset}, expected ${this.#expected}: the stream skipped or repeated bytes`,
      );
    }
    this.#expected = masterOffset + data.length;
    if (data.length === 0) return;
    if (this.#buffered === 0) this.#start = masterOffset;
    this.#chunks.push(data);
    this.#buffered += data.length;
    if (this.#buffered < this.#needed) return;
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    const result = await this.#store.appendReplicated(this.#start, bytes);
    this.#chunks.length = 0;
    const used = result.end - this.#start;
    if (used >= bytes.length) {
      this.#buffered = 0;
      this.#needed = 0;
      return;
    }
    // A copy: the rest is small (part of one record) and must not pin the whole frame in memory.
    const rest = Buffer.from(bytes.subarray(Math.max(0, used)));
    this.#chunks.push(rest);
    this.#start = result.end;
    this.#buffered = rest.length;
    this.#needed = result.needed;
  }
}
