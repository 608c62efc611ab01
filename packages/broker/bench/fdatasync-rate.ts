// The disk's own limit for one-at-a-time durable writes, measured in the same run as the client
// benchmark: `writeBytes` written at the end of a file and fdatasynced, in a loop, as a broker
// acknowledging each send only after its fdatasync would at best do (store-bench.ts measures the
// same with 4 KiB pages over a preallocated file).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { seconds } from './bench-util';

export async function fdatasyncRate(dir: string, writeBytes = 1024, durationS = 2): Promise<number> {
  const file = await open(join(dir, 'fdatasync-rate'), 'w+');
  const block = Buffer.alloc(writeBytes, 's');
  let count = 0;
  try {
    const start = process.hrtime.bigint();
    while (seconds(start) < durationS) {
      await file.write(block, 0, block.length, count * writeBytes);
      await file.datasync();
      count++;
    }
    return count / seconds(start);
  } finally {
    await file.close();
  }
}
