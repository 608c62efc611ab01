// Delay levels, retries and dead letters end to end: the client SDK against a real in-process name
// server and broker whose delay levels are short (level 2 is 5 s as by default; the levels retries
// use are 1 s), so a message's whole retry life takes seconds.

import { systemClock } from '../../../src/common/clock';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import type { Producer } from '../../../src/client/producer/producer';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import type { Broker } from '../../../src/server/broker';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { ClientsToClose, createTopic, fastConsumerOptions, startProducer } from './consumer-test-kit';

/** Level 2 keeps its default 5 s; retries (levels 3 and up) wait 1 s. */
const DELAY_LEVELS = '1s 5s 1s 1s 1s 1s';
/** Delivery is due to be within 100 ms of the due time; the consumer adds a long-poll wake-up. */
const LATENESS_TOLERANCE_MS = 1000;

interface Attempt {
  readonly message: ConsumedMessage;
  readonly atMs: number;
}

describe('delayed messages, retries and dead letters through the client', () => {
  let cluster: ClientTestCluster;
  let broker: Broker;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster([]);
    broker = await cluster.startBroker('broker-a', { messageDelayLevel: DELAY_LEVELS });
    producer = await startProducer(cluster, 'drd-pg');
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    await producer.shutdown();
    await cluster.stop();
  });

  async function stored(topic: string, queueId = 0): Promise<DecodedStoredMessage[]> {
    const { store } = broker.context;
    const messages: DecodedStoredMessage[] = [];
    for (const entry of await store.readQueueEntries(topic, queueId, 0, 100)) {
      const message = await store.readMessageAt(entry.commitLogOffset);
      if (message !== undefined) messages.push(message);
    }
    return messages;
  }

  it('delivers a level-2 message 5 s after it was stored, never earlier', async () => {
    const topic = 'DrdDelayed';
    await createTopic(cluster, topic, 1);
    const arrivals: Attempt[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'drd-delay')));
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) arrivals.push({ message, atMs: systemClock.now() });
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();

    const sentAtMs = systemClock.now();
    const result = await producer.send({ topic, body: 'five seconds later', tags: 'T', delayLevel: 2 });
    const parked = await broker.context.store.readMessageAt(
      decodeOffsetMessageId(result.offsetMsgId).physicalOffset,
    );
    expect(parked?.topic).toBe('SCHEDULE_TOPIC_XXXX');
    await waitFor(() => arrivals.length > 0, { timeoutMs: 10_000, description: 'the delayed message' });

    const [{ message, atMs }] = arrivals as [Attempt];
    expect(message.body.toString()).toBe('five seconds later');
    expect(message.topic).toBe(topic);
    expect(message.properties.has('DELAY')).toBe(false);
    // The delivered copy is stored at its due time (parked store time + 5 s), never before.
    const lateness = message.storeTimestamp - (parked!.storeTimestamp + 5000);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(100);
    expect(atMs - sentAtMs).toBeGreaterThanOrEqual(5000);
    expect(atMs - parked!.storeTimestamp).toBeLessThan(5000 + LATENESS_TOLERANCE_MS);
  }, 20_000);

  it('moves a message that always fails to %DLQ%<group> after exactly maxReconsumeTimes retries, intact', async () => {
    const topic = 'DrdFailing';
    const group = 'drd-retry';
    const maxReconsumeTimes = 3;
    await createTopic(cluster, topic, 1);
    await broker.context.groups.createOrUpdate({ groupName: group, retryMaxTimes: maxReconsumeTimes });
    const attempts: Attempt[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, group)));
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) attempts.push({ message, atMs: systemClock.now() });
      return 'RECONSUME_LATER';
    });
    await consumer.start();

    const result = await producer.send({
      topic,
      body: 'never works',
      tags: 'TagX',
      keys: ['key-1', 'key-2'],
      properties: { color: 'blue' },
    });
    const dlq = await waitFor(
      async () => {
        const dead = await stored(`%DLQ%${group}`);
        return dead.length > 0 ? dead : undefined;
      },
      { timeoutMs: 15_000, description: 'the message in the DLQ' },
    );
    // Nothing is delivered after the dead letter: give a retry that should not exist time to show.
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1500));

    expect(attempts.map((a) => a.message.reconsumeTimes)).toEqual([0, 1, 2, 3]);
    // Every retry shows the original topic and the message as sent.
    for (const { message } of attempts) {
      expect(message.topic).toBe(topic);
      expect(message.body.toString()).toBe('never works');
      expect(message.tags).toBe('TagX');
      expect(message.keys).toEqual(['key-1', 'key-2']);
      expect(message.properties.get('color')).toBe('blue');
    }
    for (const { message } of attempts.slice(1)) {
      expect(message.properties.get('ORIGIN_MESSAGE_ID')).toBe(result.offsetMsgId);
    }
    // Retries wait their level's 1 s.
    for (let i = 1; i < attempts.length; i++) {
      expect(attempts[i]!.atMs - attempts[i - 1]!.atMs).toBeGreaterThanOrEqual(1000);
    }

    expect(dlq).toHaveLength(1);
    const [dead] = dlq as [DecodedStoredMessage];
    expect(dead).toMatchObject({ topic: `%DLQ%${group}`, queueId: 0, reconsumeTimes: maxReconsumeTimes + 1 });
    expect(dead.body?.toString()).toBe('never works');
    const properties = parseMessageProperties(dead.properties);
    expect(properties.get('TAGS')).toBe('TagX');
    expect(properties.get('KEYS')).toBe('key-1 key-2');
    expect(properties.get('color')).toBe('blue');
    expect(properties.get('RETRY_TOPIC')).toBe(topic);
    expect(properties.get('ORIGIN_MESSAGE_ID')).toBe(result.offsetMsgId);
    expect(properties.get('UNIQ_KEY')).toBe(result.msgId);
    expect(properties.has('DELAY')).toBe(false);
    expect(broker.context.topics.select(`%DLQ%${group}`)).toMatchObject({ readQueueNums: 1, perm: 6 });
  }, 30_000);

  it("dead-letters after the consumer's own maxReconsumeTimes, which overrides the group's", async () => {
    const topic = 'DrdClientMax';
    const group = 'drd-client-max';
    await createTopic(cluster, topic, 1);
    // The group allows 16; the consumer says 1.
    const attempts: number[] = [];
    const consumer = clients.track(
      new PushConsumer({ ...fastConsumerOptions(cluster, group), maxReconsumeTimes: 1 }),
    );
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) attempts.push(message.reconsumeTimes);
      return 'RECONSUME_LATER';
    });
    await consumer.start();
    await producer.send({ topic, body: 'fails' });
    await waitFor(async () => (await stored(`%DLQ%${group}`)).length === 1, {
      timeoutMs: 15_000,
      description: 'the message in the DLQ',
    });
    expect(attempts).toEqual([0, 1]);
  }, 30_000);

  it('retries an orderly message in place with a suspend, then dead-letters it and moves on', async () => {
    const topic = 'DrdOrderly';
    const group = 'drd-orderly';
    await createTopic(cluster, topic, 1);
    const seen: Array<{ body: string; reconsumeTimes: number; atMs: number }> = [];
    const consumer = clients.track(
      new PushConsumer({
        ...fastConsumerOptions(cluster, group),
        maxReconsumeTimes: 2,
        suspendCurrentQueueMs: 200,
      }),
    );
    consumer.subscribe(topic, '*');
    consumer.onMessagesOrderly((messages, context) => {
      const [message] = messages as [ConsumedMessage];
      const body = message.body.toString();
      seen.push({ body, reconsumeTimes: context.reconsumeTimesOf(message), atMs: systemClock.now() });
      return body === 'bad' ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
    });
    await producer.send({ topic, body: 'bad', properties: { step: '1' } });
    await producer.send({ topic, body: 'good' });
    await consumer.start();

    await waitFor(() => seen.some((s) => s.body === 'good'), {
      timeoutMs: 15_000,
      description: 'the good message',
    });
    expect(seen.map((s) => [s.body, s.reconsumeTimes])).toEqual([
      ['bad', 0],
      ['bad', 1],
      ['bad', 2],
      ['good', 0],
    ]);
    // Each retry came after the queue's suspend, from the consumer itself: nothing went to %RETRY%.
    expect(seen[1]!.atMs - seen[0]!.atMs).toBeGreaterThanOrEqual(190);
    expect(seen[2]!.atMs - seen[1]!.atMs).toBeGreaterThanOrEqual(190);
    expect(broker.context.store.maxOffsetInQueue(`%RETRY%${group}`, 0)).toBe(0);

    const [dead] = (await stored(`%DLQ%${group}`)) as [DecodedStoredMessage];
    expect(dead.body?.toString()).toBe('bad');
    const properties = parseMessageProperties(dead.properties);
    expect(properties.get('RETRY_TOPIC')).toBe(topic);
    expect(properties.get('step')).toBe('1');
  }, 30_000);
});
