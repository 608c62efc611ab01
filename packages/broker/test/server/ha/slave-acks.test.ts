// The SYNC_MASTER wait on slave acknowledgements (SlaveAcks), driven by a fake clock: a group wait
// in offset order, RocketMQ's refusals, and the timeout.

import { FakeClock } from '../../../src/common/fake-clock';
import { SlaveAcks, type SlaveWaitStatus } from '../../../src/server/ha/slave-acks';

function setup(fallBehindMaxBytes = 1_000_000) {
  const clock = new FakeClock();
  const acks = new SlaveAcks({ clock, slaveTimeoutMs: 3000, fallBehindMaxBytes });
  return { clock, acks };
}

/** The statuses settled so far, by index. */
function track(promises: readonly Promise<SlaveWaitStatus>[]): Array<SlaveWaitStatus | undefined> {
  const settled: Array<SlaveWaitStatus | undefined> = promises.map(() => undefined);
  promises.forEach((promise, i) => void promise.then((status) => (settled[i] = status)));
  return settled;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SlaveAcks', () => {
  it('answers SLAVE_NOT_AVAILABLE at once when no slave is connected', async () => {
    const { acks } = setup();
    await expect(acks.waitFor(100)).resolves.toBe('SLAVE_NOT_AVAILABLE');
  });

  it('resolves waiters in offset order as the slave acknowledges, one report covering many', async () => {
    const { acks } = setup();
    acks.connected(1, 'slave:1');
    acks.reported(1, 0);
    const settled = track([acks.waitFor(100), acks.waitFor(200), acks.waitFor(300)]);
    acks.reported(1, 150);
    await flush();
    expect(settled).toEqual(['PUT_OK', undefined, undefined]);
    acks.reported(1, 300);
    await flush();
    expect(settled).toEqual(['PUT_OK', 'PUT_OK', 'PUT_OK']);
    // Already acknowledged: no wait at all.
    await expect(acks.waitFor(250)).resolves.toBe('PUT_OK');
  });

  it('answers FLUSH_SLAVE_TIMEOUT after slaveTimeout without an acknowledgement', async () => {
    const { clock, acks } = setup();
    acks.connected(1, 'slave:1');
    acks.reported(1, 0);
    const settled = track([acks.waitFor(100)]);
    clock.advance(2999);
    await flush();
    expect(settled).toEqual([undefined]);
    clock.advance(1);
    await flush();
    expect(settled).toEqual(['FLUSH_SLAVE_TIMEOUT']);
  });

  it('answers SLAVE_NOT_AVAILABLE at once when the best slave is more than haSlaveFallbehindMax behind', async () => {
    const { acks } = setup(1000);
    acks.connected(1, 'slave:1');
    acks.reported(1, 5000);
    await expect(acks.waitFor(6001)).resolves.toBe('SLAVE_NOT_AVAILABLE');
    const settled = track([acks.waitFor(6000)]);
    acks.reported(1, 6000);
    await flush();
    expect(settled).toEqual(['PUT_OK']);
  });

  it('counts only the slaves connected now: one that left takes its acknowledgements with it', async () => {
    const { acks } = setup();
    acks.connected(1, 'slave:1');
    acks.connected(2, 'slave:2');
    acks.reported(1, 500);
    acks.reported(2, 100);
    expect(acks.ackedOffset).toBe(500);
    acks.disconnected(1);
    expect(acks.ackedOffset).toBe(100);
    expect(acks.connectedCount).toBe(1);
    const settled = track([acks.waitFor(400)]);
    acks.reported(2, 400);
    await flush();
    expect(settled).toEqual(['PUT_OK']);
    acks.disconnected(2);
    await expect(acks.waitFor(400)).resolves.toBe('SLAVE_NOT_AVAILABLE');
  });
});
