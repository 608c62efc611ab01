// The producer with two brokers (broker-a, broker-b) on one name server: retries on the other
// broker when one is down, and picks up a broker that starts serving a topic at the next refresh.

import { Producer } from '../../../src/client/producer/producer';
import { SendStatus } from '../../../src/client/producer/send-result';
import { systemClock } from '../../../src/common/clock';
import { createLogger } from '../../../src/common/logger';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { send } from '../../server/integration/broker-requests';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';

describe('Producer with two brokers', () => {
  let cluster: ClientTestCluster;

  beforeEach(async () => {
    cluster = await startClientCluster(['broker-a', 'broker-b']);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  it('retries a failed send on the other broker and then avoids the dead one', async () => {
    const lines: string[] = [];
    const producer = new Producer({
      group: 'failover-pg',
      nameServer: cluster.nameServer.address,
      logger: createLogger({
        clock: systemClock,
        component: 'producer',
        level: 'debug',
        sink: (line) => lines.push(line),
      }),
    });
    await producer.start();
    try {
      // Sends spread over both brokers, so both create the topic.
      const warmUp = await Promise.all(
        Array.from({ length: 8 }, (_, i) => producer.send({ topic: 'FailoverTopic', body: `w${i}` })),
      );
      expect(new Set(warmUp.map((r) => r.messageQueue.brokerName))).toEqual(
        new Set(['broker-a', 'broker-b']),
      );

      // The producer's cached route still lists broker-b; its sends there fail to connect.
      await cluster.stopBroker('broker-b');
      const results = [];
      for (let i = 0; i < 8; i++)
        results.push(await producer.send({ topic: 'FailoverTopic', body: `after ${i}` }));
      expect(
        results.every((r) => r.status === SendStatus.SEND_OK && r.messageQueue.brokerName === 'broker-a'),
      ).toBe(true);
      const retries = lines.filter(
        (line) => line.includes('send attempt failed') && line.includes('broker=broker-b'),
      );
      // One failure isolates broker-b for 600 s: later sends do not try it again.
      expect(retries).toHaveLength(1);
    } finally {
      await producer.shutdown();
    }
  });

  it('picks up a broker that starts serving the topic at the next route refresh', async () => {
    await cluster.stopBroker('broker-b');
    const producer = new Producer({
      group: 'refresh-pg',
      nameServer: cluster.nameServer.address,
      pollNameServerIntervalMs: 100,
    });
    await producer.start();
    const raw = new RemotingClient({ clock: systemClock });
    try {
      const first = await producer.send({ topic: 'GrowingTopic', body: 'only a' });
      expect(first.messageQueue.brokerName).toBe('broker-a');
      await waitFor(
        async () => (await producer.clientInstance!.topicRoute('GrowingTopic'))?.queueDatas.length === 1,
        {
          timeoutMs: 3000,
          description: 'GrowingTopic routed to broker-a',
        },
      );
      for (let i = 0; i < 4; i++) {
        expect((await producer.send({ topic: 'GrowingTopic', body: `a${i}` })).messageQueue.brokerName).toBe(
          'broker-a',
        );
      }

      // A new broker gets the topic (auto-created by a raw send) and registers it.
      const brokerB = await cluster.startBroker('broker-b');
      expect((await send(raw, brokerB.address, { topic: 'GrowingTopic', body: 'made on b' })).code).toBe(0);
      const routed = await waitFor(
        async () => {
          const result = await producer.send({ topic: 'GrowingTopic', body: 'probe' });
          return result.messageQueue.brokerName === 'broker-b' ? result : undefined;
        },
        { timeoutMs: 5000, intervalMs: 20, description: 'a send routed to broker-b' },
      );
      expect(routed.status).toBe(SendStatus.SEND_OK);
    } finally {
      await raw.close();
      await producer.shutdown();
    }
  });
});
