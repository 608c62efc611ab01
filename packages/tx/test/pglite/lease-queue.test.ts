import { LeaseQueue, leaseQueueFor } from '../../src/pglite/lease-queue';

describe('LeaseQueue', () => {
  it('grants a free lease at once and queues later callers in arrival order', async () => {
    const queue = new LeaseQueue();
    const order: string[] = [];
    await queue.acquire();
    const second = queue.acquire().then(() => order.push('second'));
    const third = queue.acquire().then(() => order.push('third'));
    expect(queue.waitingCount).toBe(2);

    queue.release();
    await second;
    expect(order).toEqual(['second']);
    expect(queue.waitingCount).toBe(1);

    queue.release();
    await third;
    expect(order).toEqual(['second', 'third']);
    queue.release();
    expect(queue.isHeld).toBe(false);
  });

  it('hands the lease straight to a waiter, so a newcomer cannot take it in between', async () => {
    const queue = new LeaseQueue();
    await queue.acquire();
    const waiter = queue.acquire();
    queue.release();
    // The waiter owns the lease although its promise has not been observed yet.
    expect(queue.isHeld).toBe(true);
    let newcomerGotIt = false;
    const newcomer = queue.acquire().then(() => {
      newcomerGotIt = true;
    });
    await waiter;
    expect(newcomerGotIt).toBe(false);
    queue.release();
    await newcomer;
    expect(newcomerGotIt).toBe(true);
  });

  it('is one queue per session object', () => {
    const a = {};
    const b = {};
    expect(leaseQueueFor(a)).toBe(leaseQueueFor(a));
    expect(leaseQueueFor(a)).not.toBe(leaseQueueFor(b));
  });
});
