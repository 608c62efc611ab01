// Dead letters end to end: a retry past its maximum lands in %DLQ%<group> (the broker's routing),
// the admin lists it with its original topic, and a resend delivers it again to that group only,
// under the original topic, with its msgId, keys and body intact.

import { AdminClient } from '../../../src/client/admin/admin-client';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import { systemClock } from '../../../src/common/clock';
import { ConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back-headers';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { SystemTopic } from '../../../src/server/topic/system-topics';
import { waitFor } from '../../../src/testing/await-event';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { messagesOf, pull, send } from '../../server/integration/broker-requests';
import { RawTxProducer, type HalfHandle } from '../../server/transaction/raw-tx-producer';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { ClientsToClose, createTopic, fastConsumerOptions } from '../integration/consumer-test-kit';

const TOPIC = 'DlqOrders';
const GROUP = 'dlq-group';
const TX_TOPIC = 'DlqTxOrders';
const TX_GROUP = 'dlq-tx-group';

describe('dead letters through the admin client', () => {
  let cluster: ClientTestCluster;
  let raw: RemotingClient;
  let admin: AdminClient;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    raw = new RemotingClient({ clock: systemClock });
    admin = new AdminClient({ nameServer: cluster.nameServer.address, clock: systemClock });
    await createTopic(cluster, TOPIC, 1);
  });

  afterAll(async () => {
    await clients.closeAll();
    await admin.close();
    await raw.close();
    await cluster.stop();
  });

  /** A message the group has failed `reconsumeTimes` times, re-sent to its retry topic. */
  async function failedRetry(body: string, keys: string, uniqKey: string, reconsumeTimes: number) {
    return send(raw, cluster.brokers.get('broker-a')!.address, {
      topic: `%RETRY%${GROUP}`,
      body,
      keys,
      tags: 'Created',
      reconsumeTimes,
      properties: {
        [MessageConst.PROPERTY_RETRY_TOPIC]: TOPIC,
        [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX]: uniqKey,
        [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '3',
        note: 'kept',
      },
    });
  }

  it('reports no dead letters for a group that never had one', async () => {
    await expect(admin.dlqList('never-failed')).resolves.toEqual([]);
  });

  it('lists a retry past the maximum in %DLQ%<group>, with its original topic and properties', async () => {
    const response = await failedRetry('order-1', 'order-1', 'AAAA000000000000000000000000DL01', 16);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const letters = await admin.dlqList(GROUP);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter!.originalTopic).toBe(TOPIC);
    expect(letter!.message.topic).toBe(`%DLQ%${GROUP}`);
    expect(letter!.message.msgId).toBe('AAAA000000000000000000000000DL01');
    expect(letter!.message.keys).toEqual(['order-1']);
    expect(letter!.message.properties.get('note')).toBe('kept');
    // Dead letters are not delayed again.
    expect(letter!.message.properties.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe(false);
  });

  it('keeps a retry below the maximum out of the DLQ', async () => {
    await failedRetry('order-2', 'order-2', 'AAAA000000000000000000000000DL02', 3);
    const letters = await admin.dlqList(GROUP);
    expect(letters.map((l) => l.message.msgId)).toEqual(['AAAA000000000000000000000000DL01']);
  });

  it('resends a dead letter to the group, which sees it under the original topic', async () => {
    const received: ConsumedMessage[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, GROUP)));
    consumer.subscribe(TOPIC, '*');
    consumer.onMessages((messages) => {
      received.push(...messages);
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    const resent = await admin.dlqResend(GROUP, { msgId: 'AAAA000000000000000000000000DL01' });
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ msgId: 'AAAA000000000000000000000000DL01', originalTopic: TOPIC });
    await waitFor(() => received.some((m) => m.msgId === 'AAAA000000000000000000000000DL01'), {
      timeoutMs: 15_000,
      description: 'the resent dead letter',
    });
    const message = received.find((m) => m.msgId === 'AAAA000000000000000000000000DL01')!;
    expect(message.topic).toBe(TOPIC);
    expect(message.body.toString()).toBe('order-1');
    expect(message.keys).toEqual(['order-1']);
    expect(message.reconsumeTimes).toBe(0);
    // Still in the DLQ: it is the record of what failed.
    expect(await admin.dlqList(GROUP)).toHaveLength(1);
  });

  it('resends a dead-lettered committed transactional message as a plain message, which arrives', async () => {
    const broker = cluster.brokers.get('broker-a')!;
    await createTopic(cluster, TX_TOPIC, 1);
    const producer = new RawTxProducer('dlq-tx-producer', broker.address);
    let half: HalfHandle;
    try {
      half = await producer.sendHalf(TX_TOPIC, 'paid order');
      expect((await producer.endAndWait(half, 'commit')).code).toBe(ResponseCode.SUCCESS);
    } finally {
      await producer.close();
    }
    // The committed message keeps TRAN_MSG and PGROUP (as in RocketMQ); the group fails it for good.
    const [committed] = messagesOf(
      await pull(raw, broker.address, { group: TX_GROUP, topic: TX_TOPIC, offset: 0 }),
    );
    expect(committed!.properties).toContain('TRAN_MSG\u0001true');
    const back = await raw.invoke(
      broker.address,
      createRequest({
        code: RequestCode.CONSUMER_SEND_MSG_BACK,
        opaque: 0,
        extFields: ConsumerSendMsgBackRequestHeader.encode({
          offset: committed!.physicalOffset,
          group: TX_GROUP,
          delayLevel: -1,
          originMsgId: undefined,
          originTopic: undefined,
          unitMode: false,
          maxReconsumeTimes: undefined,
          bname: undefined,
        }),
      }),
      5000,
    );
    expect(back.code).toBe(ResponseCode.SUCCESS);
    const [letter] = await admin.dlqList(TX_GROUP);
    expect(letter!.message.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED)).toBe('true');

    const received: ConsumedMessage[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, TX_GROUP)));
    consumer.subscribe(TX_TOPIC, '*');
    consumer.onMessages((messages) => {
      received.push(...messages.filter((m) => m.msgId === half.msgId));
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    await waitFor(() => received.length === 1, { timeoutMs: 15_000, description: 'the committed message' });
    const halfMessagesBefore = broker.context.store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0);
    await admin.dlqResend(TX_GROUP, { msgId: half.msgId });
    await waitFor(() => received.length === 2, { timeoutMs: 15_000, description: 'the resent dead letter' });
    const resent = received[1]!;
    expect([resent.topic, resent.body.toString(), resent.reconsumeTimes]).toEqual([
      TX_TOPIC,
      'paid order',
      0,
    ]);
    expect(resent.properties.has(MessageConst.PROPERTY_TRANSACTION_PREPARED)).toBe(false);
    expect(resent.properties.has(MessageConst.PROPERTY_PRODUCER_GROUP)).toBe(false);
    // Not a new half message waiting for a commit that would never come.
    expect(broker.context.store.maxOffsetInQueue(SystemTopic.TRANS_HALF, 0)).toBe(halfMessagesBefore);
    expect(broker.context.transactions.table.size).toBe(0);
  }, 40_000);

  it('names what it looked for when nothing matches', async () => {
    await expect(admin.dlqResend(GROUP, { key: 'no-such-key' })).rejects.toThrow(
      /no dead letter of group dlq-group has key no-such-key.*keel admin dlq list -g dlq-group/,
    );
  });
});
