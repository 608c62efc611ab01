import { FakeClock } from '../../../src/common/fake-clock';
import {
  RemoteOffsetStore,
  computeStartOffset,
  defaultConsumeTimestampMs,
  startOffsetWithoutStoredOffset,
  type ConsumeFromWhere,
} from '../../../src/client/consumer';
import { FakeConsumerApi, mq } from './consumer-fakes';

const normal = mq('T', 'b', 0);
const retry = mq('%RETRY%cg', 'b', 0);
const at = 1_700_000_000_000;

describe('startOffsetWithoutStoredOffset (ConsumeFromWhere)', () => {
  it.each<[ConsumeFromWhere, 'normal' | 'retry', number]>([
    ['CONSUME_FROM_LAST_OFFSET', 'normal', 100],
    ['CONSUME_FROM_LAST_OFFSET', 'retry', 0],
    ['CONSUME_FROM_MAX_OFFSET', 'normal', 100],
    ['CONSUME_FROM_MIN_OFFSET', 'retry', 0],
    ['CONSUME_FROM_FIRST_OFFSET', 'normal', 0],
    ['CONSUME_FROM_FIRST_OFFSET', 'retry', 0],
    ['CONSUME_FROM_TIMESTAMP', 'normal', 7],
    ['CONSUME_FROM_TIMESTAMP', 'retry', 100],
  ])('%s on a %s topic starts at %i', async (consumeFromWhere, kind, expected) => {
    const api = new FakeConsumerApi();
    const queue = kind === 'retry' ? retry : normal;
    expect(
      await startOffsetWithoutStoredOffset(api, queue, { consumeFromWhere, consumeTimestampMs: at }),
    ).toBe(expected);
  });

  it('searches by the configured timestamp', async () => {
    const api = new FakeConsumerApi();
    await startOffsetWithoutStoredOffset(api, normal, {
      consumeFromWhere: 'CONSUME_FROM_TIMESTAMP',
      consumeTimestampMs: at,
    });
    expect(api.calls).toEqual([`search T ${at}`]);
  });

  it('defaults the timestamp to half an hour ago', () => {
    const clock = new FakeClock();
    expect(defaultConsumeTimestampMs(clock)).toBe(clock.now() - 30 * 60 * 1000);
  });
});

describe('computeStartOffset', () => {
  const policy = { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' as const, consumeTimestampMs: at };

  it('prefers the offset the broker has', async () => {
    const api = new FakeConsumerApi();
    api.storedOffsets.set(JSON.stringify(['T', 'b', 0]), 0);
    expect(await computeStartOffset(new RemoteOffsetStore(api), api, normal, policy)).toBe(0);
    expect(api.calls).not.toContain('max T');
  });

  it('applies the policy when the broker has none', async () => {
    const api = new FakeConsumerApi();
    expect(await computeStartOffset(new RemoteOffsetStore(api), api, normal, policy)).toBe(100);
  });
});
