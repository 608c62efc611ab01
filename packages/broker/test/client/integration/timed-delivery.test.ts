// Delivery at a time end to end: the client SDK sends messages carrying TIMER_DELIVER_MS (as a user
// property, which the client allows) 1 to 3 s ahead to a real in-process broker; a push consumer
// receives each on time, none before its time.

import { systemClock } from '../../../src/common/clock';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import type { Producer } from '../../../src/client/producer/producer';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import type { Broker } from '../../../src/server/broker';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { ClientsToClose, createTopic, fastConsumerOptions, startProducer } from './consumer-test-kit';

/** The delivered copy is stored within this of its time (issue 6 asks 100 ms under load). */
const STORE_LATENESS_MS = 100;
/** The consumer hears of it within this after it is stored (a held long poll is woken). */
const RECEIVE_LATENESS_MS = 500;

interface Arrival {
  readonly message: ConsumedMessage;
  readonly atMs: number;
}

describe('messages delivered at a time, through the client', () => {
  let cluster: ClientTestCluster;
  let broker: Broker;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster([]);
    broker = await cluster.startBroker('broker-a');
    producer = await startProducer(cluster, 'timed-pg');
  });

  afterAll(async () => {
    await clients.closeAll();
    await producer.shutdown();
    await cluster.stop();
  });

  it('delivers TIMER_DELIVER_MS messages 1–3 s ahead on time, none early', async () => {
    const topic = 'TimedDelivery';
    await createTopic(cluster, topic, 2);
    const arrivals: Arrival[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'timed-cg')));
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) arrivals.push({ message, atMs: systemClock.now() });
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();

    const base = systemClock.now();
    const dues = [1000, 3000, 1500, 2500, 2000, 1200].map((ms) => base + ms);
    for (const [i, due] of dues.entries()) {
      const result = await producer.send({
        topic,
        body: `timed ${i}`,
        properties: { [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(due) },
      });
      const parked = await broker.context.store.readMessageAt(
        decodeOffsetMessageId(result.offsetMsgId).physicalOffset,
      );
      expect(parked?.topic).toBe('rmq_sys_wheel_timer');
    }
    await waitFor(() => arrivals.length >= dues.length, {
      timeoutMs: 10_000,
      description: 'every timed message',
    });

    const byBody = new Map(arrivals.map((arrival) => [arrival.message.body.toString(), arrival]));
    expect(byBody.size).toBe(dues.length);
    for (const [i, due] of dues.entries()) {
      const { message, atMs } = byBody.get(`timed ${i}`)!;
      expect(message.topic).toBe(topic);
      expect(message.properties.get(MessageConst.PROPERTY_TIMER_OUT_MS)).toBe(String(due));
      expect(message.properties.has(MessageConst.PROPERTY_TIMER_DELIVER_MS)).toBe(false);
      // Never early: neither stored nor received before its time.
      expect(message.storeTimestamp).toBeGreaterThanOrEqual(due);
      expect(atMs).toBeGreaterThanOrEqual(due);
      expect(message.storeTimestamp - due).toBeLessThan(STORE_LATENESS_MS);
      expect(atMs - message.storeTimestamp).toBeLessThan(RECEIVE_LATENESS_MS);
    }
    expect(broker.context.timer?.status().pendingMessages).toBe(0);
  }, 20_000);
});
