import { BrokerResponseError } from '../../../src/client/client-errors';
import { SendStatus, toSendResult } from '../../../src/client/producer/send-result';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { createRequest, createResponse } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';

const request = createRequest({ code: RequestCode.SEND_MESSAGE_V2, opaque: 7 });
const queue = { topic: 'T', brokerName: 'broker-a', queueId: -1 };
const header = SendMessageResponseHeader.encode({
  msgId: '7F00000100002A9F0000000000000000',
  queueId: 2,
  queueOffset: 41,
  transactionId: undefined,
  msgRegion: undefined,
  traceOn: undefined,
});

describe('toSendResult', () => {
  it.each([
    [ResponseCode.SUCCESS, SendStatus.SEND_OK],
    [ResponseCode.FLUSH_DISK_TIMEOUT, SendStatus.FLUSH_DISK_TIMEOUT],
    [ResponseCode.FLUSH_SLAVE_TIMEOUT, SendStatus.FLUSH_SLAVE_TIMEOUT],
    [ResponseCode.SLAVE_NOT_AVAILABLE, SendStatus.SLAVE_NOT_AVAILABLE],
  ])('maps response code %i to %s, with the queue the broker reports', (code, status) => {
    const result = toSendResult(
      createResponse(request, code, undefined, { extFields: header }),
      'b:1',
      queue,
      'UNIQ',
    );
    expect(result).toEqual({
      status,
      msgId: 'UNIQ',
      offsetMsgId: '7F00000100002A9F0000000000000000',
      messageQueue: { topic: 'T', brokerName: 'broker-a', queueId: 2 },
      queueOffset: 41,
    });
  });

  it.each([
    [ResponseCode.TOPIC_NOT_EXIST, true],
    [ResponseCode.SERVICE_NOT_AVAILABLE, true],
    [ResponseCode.SYSTEM_ERROR, true],
    [ResponseCode.NO_PERMISSION, true],
    [ResponseCode.NO_BUYER_ID, true],
    [ResponseCode.NOT_IN_CURRENT_UNIT, true],
    [ResponseCode.MESSAGE_ILLEGAL, false],
    [ResponseCode.SYSTEM_BUSY, false],
  ])('turns failure code %i into a BrokerResponseError, retriable: %s', (code, retriable) => {
    let thrown: unknown;
    try {
      toSendResult(createResponse(request, code, 'why'), 'b:1', queue, 'UNIQ');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BrokerResponseError);
    expect(thrown).toMatchObject({ responseCode: code, remark: 'why', retriable, address: 'b:1' });
  });
});
