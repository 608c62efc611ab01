// The producer against a real in-process name server and broker: what it sends is what a raw pull
// reads back, decoded with decodeMessages.

import { decodeMessages } from '../../../src/client/message-decoding';
import { Producer } from '../../../src/client/producer/producer';
import { selectByHash } from '../../../src/client/producer/queue-selector';
import { SendStatus, type SendResult } from '../../../src/client/producer/send-result';
import {
  BrokerResponseError,
  ClientErrorCodes,
  MessageTooLargeError,
} from '../../../src/client/client-errors';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { MessageSysFlag } from '../../../src/protocol/message/message-sys-flag';
import { decodeOffsetMessageId, UNIQUE_MESSAGE_ID_LENGTH_V4 } from '../../../src/protocol/message/message-id';
import { formatHostAddress } from '../../../src/protocol/message/host-address';
import { decodeStoredMessages } from '../../../src/protocol/message/stored-message-decoder';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { systemClock } from '../../../src/common/clock';
import { waitFor } from '../../../src/testing/await-event';
import { pull } from '../../server/integration/broker-requests';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';

describe('Producer against one broker', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  let raw: RemotingClient;
  let brokerAddress: string;

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    brokerAddress = cluster.brokers.get('broker-a')!.address;
    raw = new RemotingClient({ clock: systemClock });
    producer = new Producer({
      group: 'test-pg',
      nameServer: cluster.nameServer.address,
      compressMsgBodyOverHowmuch: 4096,
    });
    await producer.start();
  });

  afterAll(async () => {
    await producer.shutdown();
    await raw.close();
    await cluster.stop();
  });

  async function pullAll(topic: string, queueId: number, offset = 0) {
    const response = await pull(raw, brokerAddress, {
      group: 'test-cg',
      topic,
      queueId,
      offset,
      maxMsgNums: 32,
    });
    return response.code === ResponseCode.SUCCESS ? decodeMessages(response.body) : [];
  }

  it('sends a message with tags, keys and properties, and returns its ids and place', async () => {
    const result = await producer.send({
      topic: 'ClientSendOne',
      body: 'hello keel',
      tags: 'created',
      keys: ['order-1', 'user-9'],
      properties: { source: 'test' },
    });
    expect(result.status).toBe(SendStatus.SEND_OK);
    expect(result.msgId).toHaveLength(UNIQUE_MESSAGE_ID_LENGTH_V4);
    expect(formatHostAddress(decodeOffsetMessageId(result.offsetMsgId).storeHost)).toBe(brokerAddress);
    expect(result.messageQueue).toEqual({
      topic: 'ClientSendOne',
      brokerName: 'broker-a',
      queueId: result.messageQueue.queueId,
    });
    expect(result.queueOffset).toBe(0);

    const [message] = await pullAll('ClientSendOne', result.messageQueue.queueId);
    expect(message).toMatchObject({
      msgId: result.msgId,
      offsetMsgId: result.offsetMsgId,
      topic: 'ClientSendOne',
      queueOffset: 0,
      tags: 'created',
      keys: ['order-1', 'user-9'],
      storeHost: brokerAddress,
      reconsumeTimes: 0,
    });
    expect(message!.body.toString()).toBe('hello keel');
    expect(message!.properties.get('source')).toBe('test');
    expect(message!.properties.get('WAIT')).toBe('true');
  });

  it('keeps 5000 concurrent sends in flight: all acknowledged, distinct ids, contiguous offsets per queue', async () => {
    const count = 5000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => producer.send({ topic: 'ClientFlood', body: `m${i}` })),
    );
    expect(results.every((r) => r.status === SendStatus.SEND_OK)).toBe(true);
    expect(new Set(results.map((r) => r.msgId)).size).toBe(count);
    expect(new Set(results.map((r) => r.offsetMsgId)).size).toBe(count);
    const byQueue = new Map<number, number[]>();
    for (const r of results)
      byQueue.set(r.messageQueue.queueId, [...(byQueue.get(r.messageQueue.queueId) ?? []), r.queueOffset]);
    expect(byQueue.size).toBeGreaterThan(1);
    for (const offsets of byQueue.values()) {
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
    }
  });

  it('sends with binary ROCKETMQ headers by default, and JSON ones when asked', async () => {
    const types = async (candidate: Producer): Promise<string[]> => {
      const invoke = jest.spyOn(candidate.clientInstance!, 'invoke');
      try {
        await candidate.send({ topic: 'SerializeTopic', body: 'x' });
        return invoke.mock.calls.map(([, request]) => request.serializeType);
      } finally {
        invoke.mockRestore();
      }
    };
    expect(await types(producer)).toEqual(['ROCKETMQ']);
    const json = new Producer({
      group: 'test-pg-json',
      nameServer: cluster.nameServer.address,
      serializeType: 'JSON',
    });
    await json.start();
    try {
      expect(await types(json)).toEqual(['JSON']);
    } finally {
      await json.shutdown();
    }
    expect(
      () => new Producer({ group: 'g', nameServer: '127.0.0.1:1', serializeType: 'XML' as 'JSON' }),
    ).toThrow(/serializeType.*'ROCKETMQ' or 'JSON'/);
  });

  it('sends oneway: nothing comes back, the message is stored', async () => {
    await producer.send({ topic: 'ClientOneway', body: 'warm-up' }); // the topic exists on every queue
    await producer.sendOneway(
      { topic: 'ClientOneway', body: 'fire and forget' },
      { queue: { topic: 'ClientOneway', brokerName: 'broker-a', queueId: 3 } },
    );
    const stored = await waitFor(
      async () => (await pullAll('ClientOneway', 3)).find((m) => m.body.toString() === 'fire and forget'),
      {
        timeoutMs: 3000,
      },
    );
    expect(stored.queueId).toBe(3);
  });

  it('sends a batch as one request with one UNIQ_KEY per message', async () => {
    const result = await producer.sendBatch([
      { topic: 'ClientBatch', body: 'b0', tags: 't' },
      { topic: 'ClientBatch', body: 'b1', keys: 'k1' },
      { topic: 'ClientBatch', body: 'b2' },
    ]);
    const ids = result.msgId.split(',');
    expect(ids).toHaveLength(3);
    expect(result.offsetMsgId.split(',')).toHaveLength(3);
    const messages = await pullAll('ClientBatch', result.messageQueue.queueId);
    expect(messages.map((m) => [m.msgId, m.body.toString(), m.queueOffset])).toEqual([
      [ids[0], 'b0', 0],
      [ids[1], 'b1', 1],
      [ids[2], 'b2', 2],
    ]);
    expect(messages[0]!.tags).toBe('t');
    expect(messages[1]!.keys).toEqual(['k1']);
  });

  it('keeps order per sharding key: one key, one queue, offsets in send order', async () => {
    await producer.send({ topic: 'ClientOrdered', body: 'create the topic' });
    const sent: SendResult[] = [];
    for (let i = 0; i < 10; i++)
      sent.push(
        await producer.send({ topic: 'ClientOrdered', body: `step ${i}` }, { shardingKey: 'order-42' }),
      );
    const queueIds = new Set(sent.map((r) => r.messageQueue.queueId));
    expect(queueIds.size).toBe(1);
    const offsets = sent.map((r) => r.queueOffset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const viaSelector = await producer.send(
      { topic: 'ClientOrdered', body: 'x' },
      { selector: selectByHash('order-42') },
    );
    expect(viaSelector.messageQueue.queueId).toBe(sent[0]!.messageQueue.queueId);
    const custom = await producer.send(
      { topic: 'ClientOrdered', body: 'y' },
      { selector: (queues) => queues[2]! },
    );
    expect(custom.messageQueue.queueId).toBe(2);
  });

  it('compresses bodies at the threshold with zlib; decodeMessages gives the original back', async () => {
    const body = Buffer.from('compress me please '.repeat(600));
    const result = await producer.send({ topic: 'ClientCompressed', body });
    const response = await pull(raw, brokerAddress, {
      group: 'test-cg',
      topic: 'ClientCompressed',
      queueId: result.messageQueue.queueId,
      offset: 0,
    });
    const [stored] = decodeStoredMessages(response.body).messages;
    expect(stored!.sysFlag & MessageSysFlag.COMPRESSED_FLAG).toBe(MessageSysFlag.COMPRESSED_FLAG);
    expect(stored!.sysFlag & 0x700).toBe(MessageSysFlag.COMPRESSION_ZLIB_TYPE);
    expect(stored!.bodyLength).toBeLessThan(body.length / 10);
    const [decoded] = decodeMessages(response.body);
    expect(decoded!.body.equals(body)).toBe(true);
    expect(decoded!.msgId).toBe(result.msgId);
  });

  it('refuses a body over maxMessageSize before sending, naming size, limit and fix', async () => {
    const small = new Producer({
      group: 'test-pg-small',
      nameServer: cluster.nameServer.address,
      maxMessageSize: 1024,
    });
    await small.start();
    try {
      const sending = small.send({ topic: 'ClientTooLarge', body: Buffer.alloc(1025, 1) });
      await expect(sending).rejects.toThrow(MessageTooLargeError);
      await expect(sending).rejects.toMatchObject({
        code: ClientErrorCodes.MESSAGE_TOO_LARGE,
        sizeBytes: 1025,
        limitBytes: 1024,
      });
      await expect(sending).rejects.toThrow(/1025 bytes.*maxMessageSize of 1024 bytes.*raise/);
      expect(small.clientInstance!.topicsInUse).not.toContain('ClientTooLarge');
    } finally {
      await small.shutdown();
    }
  });

  it('sends the delay level: the broker parks the message in SCHEDULE_TOPIC_XXXX queue level-1', async () => {
    const result = await producer.send({ topic: 'ClientDelayed', body: 'later', delayLevel: 3 });
    const { store } = cluster.brokers.get('broker-a')!.context;
    const parked = await store.readMessageAt(decodeOffsetMessageId(result.offsetMsgId).physicalOffset);
    expect(parked).toMatchObject({ topic: 'SCHEDULE_TOPIC_XXXX', queueId: 2 });
    const properties = parseMessageProperties(parked!.properties);
    expect(properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe('3');
    expect(properties.get(MessageConst.PROPERTY_REAL_TOPIC)).toBe('ClientDelayed');
    expect(properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID)).toBe(String(result.messageQueue.queueId));
  });

  it('surfaces a refused delay level as a typed, non-retriable error', async () => {
    const sending = producer.send({
      topic: 'ClientDelayed',
      body: 'x',
      properties: { TIMER_DELAY_SEC: '-5' },
    });
    await expect(sending).rejects.toThrow(BrokerResponseError);
    await expect(sending).rejects.toMatchObject({
      responseCode: ResponseCode.MESSAGE_ILLEGAL,
      retriable: false,
    });
    await expect(sending).rejects.toThrow(/TIMER_DELAY_SEC=-5 is not a time/);
  });

  it('refuses sends before start and after shutdown', async () => {
    const idle = new Producer({ group: 'test-pg-idle', nameServer: cluster.nameServer.address });
    await expect(idle.send({ topic: 'T', body: 'x' })).rejects.toThrow(/call start\(\)/);
    await idle.start();
    await idle.shutdown();
    await expect(idle.send({ topic: 'T', body: 'x' })).rejects.toThrow(/shutdown/);
  });
});
