import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { encodeBatchMessageBody } from '../../../src/protocol/bodies/batch-message-body';
import {
  encodeSendMessageHeaderV2,
  SendMessageResponseHeader,
} from '../../../src/protocol/headers/send-headers';
import {
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/offset-headers';
import {
  QueryMessageRequestHeader,
  ViewMessageRequestHeader,
} from '../../../src/protocol/headers/query-headers';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import {
  messagePropertiesToString,
  parseMessageProperties,
} from '../../../src/protocol/message/message-properties';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { startCluster, type TestCluster } from './cluster-fixture';
import { messagesOf, pull, send } from './broker-requests';

describe('broker: offsets, queries, batches and shutdown', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await startCluster();
  });

  afterEach(async () => {
    await cluster.stop();
  });

  const invoke = (code: number, extFields: ReadonlyMap<string, string>, body?: Buffer, oneway = false) =>
    oneway
      ? cluster.client.invokeOneway(
          cluster.broker.address,
          createRequest({ code, opaque: 0, extFields, oneway: true }),
        )
      : cluster.client.invoke(
          cluster.broker.address,
          createRequest({ code, opaque: 0, extFields, ...(body === undefined ? {} : { body }) }),
          5000,
        );

  it('keeps committed consumer offsets and stored messages across a restart', async () => {
    for (let i = 0; i < 5; i++) {
      expect(
        (await send(cluster.client, cluster.broker.address, { topic: 'Durable', body: `m${i}` })).code,
      ).toBe(0);
    }
    // Java clients commit offsets oneway.
    await invoke(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      UpdateConsumerOffsetRequestHeader.encode({
        consumerGroup: 'cg',
        topic: 'Durable',
        queueId: 0,
        commitOffset: 3,
        bname: undefined,
      }),
      undefined,
      true,
    );
    const query = () =>
      invoke(
        RequestCode.QUERY_CONSUMER_OFFSET,
        QueryConsumerOffsetRequestHeader.encode({
          consumerGroup: 'cg',
          topic: 'Durable',
          queueId: 0,
          bname: undefined,
        }),
      );
    // The oneway commit is processed before a later request on the same connection.
    const before = await query();
    expect(
      QueryConsumerOffsetResponseHeader.decode((before as Awaited<ReturnType<typeof query>>)!.extFields)
        .offset,
    ).toBe(3);

    await cluster.restartBroker();
    const after = (await query())!;
    expect(after.code).toBe(ResponseCode.SUCCESS);
    expect(QueryConsumerOffsetResponseHeader.decode(after.extFields).offset).toBe(3);
    const pulled = await pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic: 'Durable',
      offset: 3,
    });
    expect(messagesOf(pulled).map((m) => m.body?.toString())).toEqual(['m3', 'm4']);
  });

  it('finds a message by key (QUERY_MESSAGE) and by its offset message id (VIEW_MESSAGE_BY_ID)', async () => {
    const sent = await send(cluster.client, cluster.broker.address, {
      topic: 'Orders',
      body: 'order 42',
      keys: 'order-42 user-7',
    });
    await send(cluster.client, cluster.broker.address, {
      topic: 'Orders',
      body: 'order 43',
      keys: 'order-43',
    });
    // A query waits for the index builds already started: found as soon as the send is acknowledged.
    const byKey = (await invoke(
      RequestCode.QUERY_MESSAGE,
      QueryMessageRequestHeader.encode({
        topic: 'Orders',
        key: 'user-7',
        maxNum: 32,
        beginTimestamp: 0,
        endTimestamp: Number.MAX_SAFE_INTEGER,
        uniqueKeyQuery: false,
      }),
    ))!;
    expect(byKey.code).toBe(ResponseCode.SUCCESS);
    expect(messagesOf(byKey).map((m) => m.body?.toString())).toEqual(['order 42']);

    const offset = decodeOffsetMessageId(
      SendMessageResponseHeader.decode(sent.extFields).msgId,
    ).physicalOffset;
    const byId = (await invoke(RequestCode.VIEW_MESSAGE_BY_ID, ViewMessageRequestHeader.encode({ offset })))!;
    expect(byId.code).toBe(ResponseCode.SUCCESS);
    const [message] = messagesOf(byId);
    expect(message?.body?.toString()).toBe('order 42');
    expect(parseMessageProperties(message!.properties).get('KEYS')).toBe('order-42 user-7');
  });

  it('stores a batch as consecutive messages of one queue with comma-joined message ids', async () => {
    const body = encodeBatchMessageBody(
      ['b0', 'b1', 'b2'].map((text) => ({
        flag: 0,
        body: Buffer.from(text),
        properties: new Map([['UNIQ_KEY', `uniq-${text}`]]),
      })),
    );
    const header = encodeSendMessageHeaderV2({
      producerGroup: 'pg',
      topic: 'Batched',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 1,
      sysFlag: 0,
      bornTimestamp: 1,
      flag: 0,
      properties: messagePropertiesToString(new Map([['WAIT', 'true']])),
      reconsumeTimes: 0,
      unitMode: false,
      maxReconsumeTimes: undefined,
      batch: true,
      bname: undefined,
    });
    const response = (await invoke(RequestCode.SEND_BATCH_MESSAGE, header, body))!;
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const answer = SendMessageResponseHeader.decode(response.extFields);
    expect(answer.msgId.split(',')).toHaveLength(3);
    expect(answer).toMatchObject({ queueId: 1, queueOffset: 0 });
    const pulled = await pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic: 'Batched',
      queueId: 1,
      offset: 0,
    });
    const messages = messagesOf(pulled);
    expect(messages.map((m) => m.body?.toString())).toEqual(['b0', 'b1', 'b2']);
    expect(parseMessageProperties(messages[2]!.properties).get('UNIQ_KEY')).toBe('uniq-b2');
    expect(parseMessageProperties(messages[2]!.properties).get('WAIT')).toBe('true');
  });

  it('answers held pulls, unregisters and removes the abort file when it shuts down', async () => {
    expect((await send(cluster.client, cluster.broker.address, { topic: 'Shutdown', body: 'x' })).code).toBe(
      0,
    );
    const held = pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic: 'Shutdown',
      offset: 1,
      suspendMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(join(cluster.config.store.storePathRootDir, 'abort'))).toBe(true);
    const started = performance.now();
    await cluster.broker.close('test');
    const answer = await held;
    expect(answer.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(existsSync(join(cluster.config.store.storePathRootDir, 'abort'))).toBe(false);
    expect(cluster.nameServer.routes.route('Shutdown')).toBeUndefined();
    // Restarted for afterEach, which closes it again.
    await cluster.restartBroker();
  });
});
