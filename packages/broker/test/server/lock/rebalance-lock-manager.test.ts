import type { MessageQueue } from '../../../src/server/lock/message-queue';
import { RebalanceLockManager } from '../../../src/server/lock/rebalance-lock-manager';

const T0 = 1_700_000_000_000;
const mq = (queueId: number, topic = 'T', brokerName = 'b'): MessageQueue => ({ topic, brokerName, queueId });

describe('RebalanceLockManager', () => {
  it('grants free queues and refuses queues another client holds live', () => {
    const locks = new RebalanceLockManager();
    expect(locks.tryLockBatch('g', [mq(0), mq(1)], 'A', T0)).toEqual([mq(0), mq(1)]);
    expect(locks.tryLockBatch('g', [mq(1), mq(2)], 'B', T0 + 1000)).toEqual([mq(2)]);
    expect(locks.isLockedBy('g', mq(1), 'A', T0 + 1000)).toBe(true);
    expect(locks.isLockedBy('g', mq(1), 'B', T0 + 1000)).toBe(false);
    // Locks are per group: another group may lock the same queue.
    expect(locks.tryLockBatch('other', [mq(1)], 'B', T0)).toEqual([mq(1)]);
    // Queues differ by topic and broker name too.
    expect(locks.tryLockBatch('g', [mq(1, 'U'), mq(1, 'T', 'c')], 'B', T0)).toHaveLength(2);
  });

  it('expires a lock 60 s after its last renewal; the owner renews it', () => {
    const locks = new RebalanceLockManager();
    locks.tryLockBatch('g', [mq(0)], 'A', T0);
    expect(locks.tryLockBatch('g', [mq(0)], 'A', T0 + 50_000)).toEqual([mq(0)]); // renewal
    expect(locks.tryLockBatch('g', [mq(0)], 'B', T0 + 100_000)).toEqual([]); // 50 s after renewal
    expect(locks.tryLockBatch('g', [mq(0)], 'B', T0 + 110_000)).toEqual([]); // exactly 60 s: still live
    expect(locks.tryLockBatch('g', [mq(0)], 'B', T0 + 110_001)).toEqual([mq(0)]); // expired: taken over
    expect(locks.lockOf('g', mq(0), T0 + 110_001)?.clientId).toBe('B');
    expect(locks.isLockedBy('g', mq(0), 'A', T0 + 110_001)).toBe(false);
  });

  it('honours a configured lifetime', () => {
    const locks = new RebalanceLockManager({ lockMaxLiveMs: 1000 });
    locks.tryLockBatch('g', [mq(0)], 'A', T0);
    expect(locks.tryLockBatch('g', [mq(0)], 'B', T0 + 1001)).toEqual([mq(0)]);
  });

  it('unlocks only what the client holds', () => {
    const locks = new RebalanceLockManager();
    locks.tryLockBatch('g', [mq(0), mq(1)], 'A', T0);
    locks.unlockBatch('g', [mq(0), mq(1)], 'B');
    expect(locks.isLockedBy('g', mq(0), 'A', T0)).toBe(true);
    locks.unlockBatch('g', [mq(0)], 'A');
    expect(locks.tryLockBatch('g', [mq(0), mq(1)], 'B', T0)).toEqual([mq(0)]);
  });

  it('purges expired locks', () => {
    const locks = new RebalanceLockManager();
    locks.tryLockBatch('g', [mq(0), mq(1)], 'A', T0);
    locks.tryLockBatch('g', [mq(1)], 'A', T0 + 30_000);
    expect(locks.purgeExpired(T0 + 60_001)).toBe(1);
    expect(locks.lockOf('g', mq(1), T0 + 60_001)?.clientId).toBe('A');
  });
});
