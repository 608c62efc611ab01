// A SYNC_MASTER whose link to its slave breaks (through ChaosProxy): the statuses documented in
// docs/operations.md, in order, and no acknowledged message missing on the slave once the link is
// back. Timeouts are shortened so the test runs in a few seconds.

import { systemClock } from '../../../src/common/clock';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { ChaosProxy } from '../../../src/testing/chaos-proxy';
import { send } from '../integration/broker-requests';
import { startHaCluster, type HaTestCluster } from './ha-cluster-fixture';
import { findFreeBrokerPort } from '../../../src/testing/servers';

const TOPIC = 'HaLink';
const SLAVE_TIMEOUT_MS = 400;
const HOUSEKEEPING_MS = 1500;

describe('replication: a cut link between SYNC_MASTER and slave', () => {
  let cluster: HaTestCluster;
  let proxy: ChaosProxy;

  beforeAll(async () => {
    const masterPort = await findFreeBrokerPort();
    proxy = await ChaosProxy.start({ host: '127.0.0.1', port: masterPort + 1 });
    const ha = { haSendHeartbeatInterval: 200, haHousekeepingInterval: HOUSEKEEPING_MS };
    cluster = await startHaCluster({
      master: { ...ha, listenPort: masterPort, slaveTimeout: SLAVE_TIMEOUT_MS, haSlaveFallbehindMax: 4000 },
      slave: { ...ha, haMasterAddress: proxy.address },
    });
    await waitFor(() => cluster.master!.context.replication.status().role !== 'SLAVE' && slaveCount() === 1, {
      timeoutMs: 10_000,
      description: 'the slave to connect through the proxy',
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await proxy?.close();
  });

  function slaveCount(): number {
    const status = cluster.master!.context.replication.status();
    return status.role === 'SLAVE' ? 0 : status.slaves.length;
  }

  const sendOne = (body: string) =>
    send(cluster.client, cluster.masterAddress, { topic: TOPIC, body, queueId: 0 });

  it('answers SUCCESS, then FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE, and SUCCESS again', async () => {
    const stored: string[] = [];
    const ok = await sendOne('before');
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    stored.push(SendMessageResponseHeader.decode(ok.extFields).msgId);

    // Blackholed: the master still counts the slave, whose acknowledgements stop arriving.
    proxy.blackhole();
    const started = systemClock.now();
    const timedOut = await sendOne('while blackholed');
    expect(timedOut.code).toBe(ResponseCode.FLUSH_SLAVE_TIMEOUT);
    expect(systemClock.now() - started).toBeGreaterThanOrEqual(SLAVE_TIMEOUT_MS - 50);
    stored.push(SendMessageResponseHeader.decode(timedOut.extFields).msgId);

    // More than haSlaveFallbehindMax behind: refused at once, without waiting slaveTimeout.
    const big = 'b'.repeat(5000);
    const behind = await sendOne(big);
    expect(behind.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    stored.push(SendMessageResponseHeader.decode(behind.extFields).msgId);

    // The link is closed after haHousekeepingInterval of silence; reconnections are refused.
    proxy.refuse();
    await waitFor(() => slaveCount() === 0, {
      timeoutMs: HOUSEKEEPING_MS * 3,
      description: 'the master to drop the silent slave',
    });
    proxy.cut();
    const alone = await sendOne('alone');
    expect(alone.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    stored.push(SendMessageResponseHeader.decode(alone.extFields).msgId);

    // Back: the slave reconnects from its own end and copies everything stored meanwhile.
    proxy.restore();
    const again = await waitFor(
      async () => {
        const response = await sendOne('after');
        stored.push(SendMessageResponseHeader.decode(response.extFields).msgId);
        return response.code === ResponseCode.SUCCESS ? response : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'SUCCESS after the link is back' },
    );
    expect(again.code).toBe(ResponseCode.SUCCESS);
    const slaveStore = cluster.slave!.context.store;
    const masterStore = cluster.master!.context.store;
    expect(slaveStore.commitLogOffsets().confirmed).toBeGreaterThanOrEqual(
      masterStore.commitLogOffsets().confirmed,
    );
    expect(slaveStore.maxOffsetInQueue(TOPIC, 0)).toBe(stored.length);
  });
});
