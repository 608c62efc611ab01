import fc from 'fast-check';
import { FakeClock } from '../../../src/common/fake-clock';
import { indexKeyHash } from '../../../src/protocol/message/java-string-hash';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { IndexFile } from '../../../src/store/index/index-file';
import type { IndexDispatchRequest } from '../../../src/store/index/index-dispatch';
import { ALL_TIME, message, openService } from './index-test-helpers';

const T0 = Date.UTC(2024, 0, 1);
// "Aa"/"BB" and their concatenations share one Java hashCode; with 4 slots everything collides.
const KEYS = ['Aa', 'BB', 'AaAa', 'BBBB', 'AaBB', 'k1', 'k2', 'k3'];

type FileCommand =
  | { readonly kind: 'put'; readonly key: number; readonly dtMs: number }
  | { readonly kind: 'flush' }
  | { readonly kind: 'reopen' }
  | {
      readonly kind: 'query';
      readonly key: number;
      readonly fromMs: number;
      readonly widthMs: number;
      readonly maxNum: number;
    };

const fileCommand: fc.Arbitrary<FileCommand> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.nat(KEYS.length - 1),
      dtMs: fc.nat(2500),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      key: fc.nat(KEYS.length - 1),
      fromMs: fc.integer({ min: -2000, max: 60_000 }),
      widthMs: fc.nat(60_000),
      maxNum: fc.integer({ min: 1, max: 8 }),
    }),
  },
);

interface ModelEntry {
  readonly hash: number;
  readonly offset: number;
  readonly timestampMs: number;
}

/** What a query must return: hash matches within the range, newest first, with times cut to whole seconds. */
function modelQuery(
  entries: readonly ModelEntry[],
  key: string,
  beginMs: number,
  endMs: number,
  maxNum: number,
): number[] {
  const begin = entries[0]?.timestampMs ?? 0;
  const hash = indexKeyHash(key);
  return entries
    .filter((e) => {
      const time = begin + Math.trunc((e.timestampMs - begin) / 1000) * 1000;
      return e.hash === hash && time >= beginMs && time <= endMs;
    })
    .map((e) => e.offset)
    .reverse()
    .slice(0, maxNum);
}

describe('index properties', () => {
  it('an index file answers like a list of its puts, across flushes and reloads', async () => {
    const geometry = { maxHashSlotNum: 4, maxIndexNum: 40 };
    await fc.assert(
      fc.asyncProperty(fc.array(fileCommand, { maxLength: 80 }), async (commands) => {
        const disk = new MemoryDisk();
        await disk.mkdirp('/index');
        const path = '/index/20240101000000000';
        let file = await IndexFile.create({
          disk,
          path,
          geometry,
          seedEndPhyOffset: 0,
          seedEndTimestampMs: 0,
        });
        const entries: ModelEntry[] = [];
        let now = T0;
        for (const command of commands) {
          if (command.kind === 'put') {
            now += command.dtMs;
            const key = KEYS[command.key] ?? '';
            const accepted = file.put(key, (entries.length + 1) * 10, now);
            expect(accepted).toBe(entries.length < geometry.maxIndexNum - 1);
            if (accepted)
              entries.push({ hash: indexKeyHash(key), offset: (entries.length + 1) * 10, timestampMs: now });
          } else if (command.kind === 'flush') {
            await file.flush();
          } else if (command.kind === 'reopen') {
            await file.close();
            file = await IndexFile.open({ disk, path, geometry, active: true });
          } else {
            const key = KEYS[command.key] ?? '';
            const beginMs = T0 + command.fromMs;
            const endMs = beginMs + command.widthMs;
            expect(await file.query(key, beginMs, endMs, command.maxNum)).toEqual(
              modelQuery(entries, key, beginMs, endMs, command.maxNum),
            );
          }
        }
        await file.close();
      }),
      { numRuns: 300 },
    );
  });

  type ServiceCommand =
    | { readonly kind: 'dispatch'; readonly keys: number[] }
    | { readonly kind: 'flush' }
    | { readonly kind: 'reopen' }
    | { readonly kind: 'crash' };

  const serviceCommand: fc.Arbitrary<ServiceCommand> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('dispatch' as const),
        keys: fc.uniqueArray(fc.nat(KEYS.length - 1), { minLength: 1, maxLength: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
  );

  it('the service answers like a map of key hash to offsets, across rolls, reloads, crashes and replays', async () => {
    const geometry = { maxHashSlotNum: 4, maxIndexNum: 7 };
    await fc.assert(
      fc.asyncProperty(fc.array(serviceCommand, { maxLength: 60 }), async (commands) => {
        const disk = new MemoryDisk();
        const clock = new FakeClock(T0);
        let service = await openService(disk, geometry, clock);
        const dispatched: IndexDispatchRequest[] = [];
        /** Records made durable by a flush or a roll, which flushes the full file. */
        let durable = 0;
        let filesBefore = 0;
        for (const command of commands) {
          clock.advance(100);
          if (command.kind === 'dispatch') {
            const keys = command.keys.map((k) => KEYS[k] ?? '').join(' ');
            const request = message((dispatched.length + 1) * 100, clock.now(), keys);
            filesBefore = service.fileNames.length;
            await service.buildIndex(request);
            // A roll seals the full file durably before the record goes into the new one.
            if (service.fileNames.length > filesBefore && filesBefore > 0) durable = dispatched.length;
            dispatched.push(request);
          } else if (command.kind === 'flush') {
            await service.flush();
            durable = dispatched.length;
          } else if (command.kind === 'reopen') {
            await service.close();
            service = await openService(disk, geometry, clock);
            durable = dispatched.length;
          } else {
            disk.crash();
            service = await openService(disk, geometry, clock);
            await expectIndexed(service, dispatched, dispatched.slice(0, durable));
            // Recovery replays the commit log: every record must end up indexed exactly once.
            for (const r of dispatched) await service.buildIndex(r);
          }
          await expectIndexed(service, dispatched, dispatched);
        }
        await service.close();
      }),
      { numRuns: 200 },
    );
  });
});

/** Every record of `mustFind` is found under each of its keys; nothing else but equal-hash records. */
async function expectIndexed(
  service: Awaited<ReturnType<typeof openService>>,
  dispatched: readonly IndexDispatchRequest[],
  mustFind: readonly IndexDispatchRequest[],
): Promise<void> {
  for (const key of KEYS) {
    const hash = indexKeyHash(`T#${key}`);
    const hasEqualHashKey = (r: IndexDispatchRequest): boolean =>
      (r.keys ?? '').split(' ').some((k) => indexKeyHash(`T#${k}`) === hash);
    const expected = mustFind
      .filter(hasEqualHashKey)
      .map((r) => r.commitLogOffset)
      .reverse();
    const allowed = new Set(dispatched.filter(hasEqualHashKey).map((r) => r.commitLogOffset));
    const found = (await service.queryOffsets('T', key, 1000, 0, ALL_TIME)).phyOffsets;
    expect(found.filter((o) => !allowed.has(o))).toEqual([]);
    expect(found.filter((o) => expected.includes(o))).toEqual(expected);
    expect(new Set(found).size).toBe(found.length);
  }
}
