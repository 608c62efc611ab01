// What a SYNC_MASTER acknowledges: a slave offset report beyond what the connection was sent ends
// the connection (it would release sends no slave holds), and a retry copy waits for a slave too.

import { connect, type Socket } from 'node:net';
import { ConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { send } from '../integration/broker-requests';
import { startHaCluster, type HaTestCluster } from './ha-cluster-fixture';

function report(offset: number): Buffer {
  const frame = Buffer.alloc(8);
  frame.writeBigInt64BE(BigInt(offset));
  return frame;
}

describe('HA offset reports', () => {
  let cluster: HaTestCluster;
  let socket: Socket | undefined;

  beforeAll(async () => {
    cluster = await startHaCluster({ withSlave: false });
  });

  afterAll(async () => {
    socket?.destroy();
    await cluster?.stop();
  });

  it('closes a connection that reports more than it was sent, and acknowledges nothing for it', async () => {
    const haPort = cluster.master!.context.config.haListenPort;
    let closed = false;
    socket = connect({ host: '127.0.0.1', port: haPort });
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    await new Promise<void>((resolve) => socket!.once('connect', () => resolve()));
    socket.write(report(0));
    socket.write(report(Number.MAX_SAFE_INTEGER));
    await waitFor(() => closed, { timeoutMs: 5000, description: 'the master to close the connection' });
    const response = await send(cluster.client, cluster.masterAddress, { topic: 'HaBound', body: 'x' });
    expect(response.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
  });
});

describe('CONSUMER_SEND_MSG_BACK on a SYNC_MASTER', () => {
  let cluster: HaTestCluster;

  afterAll(async () => {
    await cluster?.stop();
  });

  it('does not answer SUCCESS for a retry copy no slave has', async () => {
    cluster = await startHaCluster({ withSlave: false });
    const sent = await send(cluster.client, cluster.masterAddress, { topic: 'HaSendBack', body: 'x' });
    expect(sent.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE); // stored on the master only
    const offset = decodeOffsetMessageId(
      SendMessageResponseHeader.decode(sent.extFields).msgId,
    ).physicalOffset;
    const response = await cluster.client.invoke(
      cluster.masterAddress,
      createRequest({
        code: RequestCode.CONSUMER_SEND_MSG_BACK,
        opaque: 0,
        extFields: ConsumerSendMsgBackRequestHeader.encode({
          offset,
          group: 'ha-send-back',
          delayLevel: 0,
          originMsgId: undefined,
          originTopic: undefined,
          unitMode: false,
          maxReconsumeTimes: undefined,
          bname: undefined,
        }),
      }),
      5000,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(
      /^SLAVE_NOT_AVAILABLE: the copy for retry is stored but no slave has it yet/,
    );
  });
});
