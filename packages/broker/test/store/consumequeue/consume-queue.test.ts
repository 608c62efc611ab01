import fc from 'fast-check';
import {
  CQ_ENTRY_SIZE,
  readConsumeQueueEntry,
  writeConsumeQueueEntry,
} from '../../../src/store/consumequeue/consume-queue-layout';
import { ConsumeQueue } from '../../../src/store/consumequeue/consume-queue';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';

const options = (disk: MemoryDisk) => ({
  disk,
  dir: '/store/consumequeue/T/0',
  topic: 'T',
  queueId: 0,
  segmentSizeBytes: CQ_ENTRY_SIZE * 8,
});

describe('consume-queue entries', () => {
  it('round-trip any offset, size and tag code (tag hashes are sign-extended ints; schedule tags are times)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 0x7fffffff }),
        fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.nat({ max: 2 ** 45 })),
        (offset, size, tagsCode) => {
          const buffer = Buffer.alloc(CQ_ENTRY_SIZE);
          writeConsumeQueueEntry(buffer, 0, offset, size, tagsCode);
          expect(readConsumeQueueEntry(buffer, 0, 7)).toEqual({
            queueOffset: 7,
            commitLogOffset: offset,
            size,
            tagsCode,
          });
        },
      ),
    );
  });

  it('matches a queue model across segments and a reload, and ignores re-dispatched entries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 40 }),
        async (sizes) => {
          const disk = new MemoryDisk();
          const queue = ConsumeQueue.create(options(disk));
          const model: Array<{ offset: number; size: number }> = [];
          let physical = 0;
          sizes.forEach((size, i) => {
            expect(queue.put(i, physical, size, i)).toBe(true);
            model.push({ offset: physical, size });
            physical += size;
          });
          // Recovery dispatches records the queue may already hold: they change nothing.
          expect(queue.put(0, 0, sizes[0]!, 0)).toBe(false);
          await queue.flush();
          await queue.close();
          const reloaded = await ConsumeQueue.load(options(disk));
          expect(reloaded.maxOffset).toBe(sizes.length);
          const entries = [];
          for (let from = 0; from < sizes.length;) {
            const got = await reloaded.read(from, 100);
            entries.push(...got);
            from += got.length;
          }
          expect(entries.map((e) => ({ offset: e.commitLogOffset, size: e.size }))).toEqual(model);
          expect(reloaded.maxPhysicalOffset).toBe(physical);
        },
      ),
      { numRuns: 50 },
    );
  });
});
