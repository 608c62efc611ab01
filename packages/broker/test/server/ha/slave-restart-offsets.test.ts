// A slave restarted after an operator moved a group's offset back on the master must not push its
// own stale copy of the old offset to the master: the loaded table counts as synced.

import { waitFor } from '../../../src/testing/await-event';
import { startHaCluster, type HaTestCluster } from './ha-cluster-fixture';

describe('consumer offsets across a slave restart', () => {
  let cluster: HaTestCluster;

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps a reset made on the master while the slave was down', async () => {
    cluster = await startHaCluster({ withSlave: false });
    const master = cluster.master!;
    master.context.offsets.commit('reset-group', 'ResetTopic', 0, 10);
    const slave = await cluster.startSlave();
    await waitFor(() => slave.context.offsets.query('reset-group', 'ResetTopic', 0) === 10, {
      timeoutMs: 10_000,
      description: 'the slave to copy offset 10',
    });
    await cluster.stopSlave(); // persists 10 in the slave's consumerOffset.json

    master.context.offsets.commit('reset-group', 'ResetTopic', 0, 2); // the operator's reset
    const restarted = await cluster.startSlave();
    await waitFor(() => restarted.context.offsets.query('reset-group', 'ResetTopic', 0) === 2, {
      timeoutMs: 10_000,
      description: "the restarted slave to adopt the master's reset",
    });
    expect(master.context.offsets.query('reset-group', 'ResetTopic', 0)).toBe(2);
  }, 30_000);
});
