import { encodeHeartbeatData, type HeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { KEEL_REMOTING_VERSION } from '../../../src/protocol/remoting/remoting-command';
import {
  processHeartbeat,
  processUnregisterClient,
} from '../../../src/server/processor/client-manage-processor';
import { consumerData, subscription } from '../client/fake-channel';
import {
  capturingLogger,
  openTestBroker,
  request,
  requestContextOf,
  type TestBroker,
} from './processor-fixtures';

function heartbeat(data: Partial<HeartbeatData> = {}) {
  const body: HeartbeatData = {
    clientID: '10.0.0.1@4711',
    producerDataSet: [{ groupName: 'pg' }],
    consumerDataSet: [consumerData('cg', [subscription('T1')])],
    ...data,
  };
  return request(RequestCode.HEART_BEAT, {}, encodeHeartbeatData(body));
}

describe('HEART_BEAT', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  it('registers producers and consumers on the connection and creates the retry topic once', async () => {
    broker = await openTestBroker();
    const { context } = broker;
    const rc = requestContextOf(7);
    const response = await processHeartbeat(context, heartbeat(), rc);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    // Clients record the broker's version from the heartbeat response.
    expect(response.version).toBe(KEEL_REMOTING_VERSION);
    expect(context.consumers.consumerIdList('cg')).toEqual(['10.0.0.1@4711']);
    expect(context.consumers.channelsOf('cg')[0]?.id).toBe(7);
    expect(context.consumers.findSubscription('cg', 'T1')?.subString).toBe('*');
    expect(context.producers.connectionsOf('pg')).toEqual([
      { clientId: '10.0.0.1@4711', clientAddr: rc.fake.remoteAddress, language: 'JAVA', version: 409 },
    ]);
    expect(context.groups.find('cg')).toBeDefined();
    expect(context.topics.select('%RETRY%cg')).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
    });
    expect(broker.topicsChangedCount()).toBe(1);

    await processHeartbeat(context, heartbeat(), rc);
    expect(broker.topicsChangedCount()).toBe(1);
  });

  it('uses the group retryQueueNums for the retry topic', async () => {
    broker = await openTestBroker();
    await broker.context.groups.createOrUpdate({ groupName: 'cg', retryQueueNums: 3 });
    await processHeartbeat(broker.context, heartbeat(), requestContextOf());
    expect(broker.context.topics.select('%RETRY%cg')?.writeQueueNums).toBe(3);
  });

  it('still registers a group that does not exist and may not be auto-created, without a retry topic', async () => {
    const { log, lines } = capturingLogger();
    broker = await openTestBroker(['autoCreateSubscriptionGroup = false'], { log });
    const response = await processHeartbeat(broker.context, heartbeat(), requestContextOf());
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.consumers.consumerIdList('cg')).toHaveLength(1);
    expect(broker.context.topics.select('%RETRY%cg')).toBeUndefined();
    expect(broker.topicsChangedCount()).toBe(0);
    expect(lines.join('\n')).toContain('group=cg');
  });

  it('logs a consumer group whose name cannot make a retry topic and still answers SUCCESS', async () => {
    const { log, lines } = capturingLogger();
    broker = await openTestBroker([], { log });
    const response = await processHeartbeat(
      broker.context,
      heartbeat({ consumerDataSet: [consumerData('bad group', [])] }),
      requestContextOf(),
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(broker.context.producers.groups()).toEqual(['pg']);
    expect(lines.join('\n')).toContain('invalid consumer group');
  });

  it('throws on a body that is not HeartbeatData (the server answers SYSTEM_ERROR)', async () => {
    broker = await openTestBroker();
    const bad = request(RequestCode.HEART_BEAT, {}, Buffer.from('{"consumerDataSet":[]}'));
    await expect(processHeartbeat(broker.context, bad, requestContextOf())).rejects.toBeInstanceOf(
      BodyDecodeError,
    );
  });
});

describe('UNREGISTER_CLIENT', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  it('removes the connection from the named producer and consumer groups', async () => {
    broker = await openTestBroker();
    const { context } = broker;
    const rc = requestContextOf(3);
    await processHeartbeat(context, heartbeat(), rc);
    const response = processUnregisterClient(
      context,
      request(RequestCode.UNREGISTER_CLIENT, {
        clientID: '10.0.0.1@4711',
        producerGroup: 'pg',
        consumerGroup: 'cg',
      }),
      rc,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(context.consumers.consumerIdList('cg')).toEqual([]);
    expect(context.producers.groups()).toEqual([]);
  });

  it('leaves other connections registered', async () => {
    broker = await openTestBroker();
    const { context } = broker;
    await processHeartbeat(context, heartbeat(), requestContextOf(1));
    await processHeartbeat(context, heartbeat({ clientID: 'other' }), requestContextOf(2));
    processUnregisterClient(
      context,
      request(RequestCode.UNREGISTER_CLIENT, { clientID: 'other', consumerGroup: 'cg' }),
      requestContextOf(2),
    );
    expect(context.consumers.consumerIdList('cg')).toEqual(['10.0.0.1@4711']);
  });

  it('throws HeaderFieldError without clientID', async () => {
    broker = await openTestBroker();
    expect(() =>
      processUnregisterClient(broker.context, request(RequestCode.UNREGISTER_CLIENT, {}), requestContextOf()),
    ).toThrow(HeaderFieldError);
  });
});

describe('HEART_BEAT from a connection that closed meanwhile', () => {
  it('registers nothing, so the group gets no ghost member', async () => {
    const broker = await openTestBroker();
    try {
      const rc = requestContextOf(8);
      rc.fake.isOpen = false;
      const response = await processHeartbeat(broker.context, heartbeat(), rc);
      expect(response.code).toBe(ResponseCode.SUCCESS);
      expect(broker.context.consumers.consumerIdList('cg')).toEqual([]);
      expect(broker.context.producers.groups()).toEqual([]);
    } finally {
      await broker.close();
    }
  });
});
