import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  encodeUnlockBatchRequestBody,
} from '../../../src/protocol/bodies/lock-batch-bodies';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { processLockBatchMq, processUnlockBatchMq } from '../../../src/server/processor/lock-processor';
import { openTestBroker, request, requestContextOf, type TestBroker } from './processor-fixtures';

const rc = requestContextOf();
const q0 = { topic: 'T', brokerName: 'broker-a', queueId: 0 };
const q1 = { topic: 'T', brokerName: 'broker-a', queueId: 1 };

function lock(broker: TestBroker, clientId: string, mqSet = [q0, q1]) {
  const body = encodeLockBatchRequestBody({ consumerGroup: 'cg', clientId, mqSet });
  const response = processLockBatchMq(broker.context, request(RequestCode.LOCK_BATCH_MQ, {}, body), rc);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  return decodeLockBatchResponseBody(response.body).lockOKMQSet;
}

describe('LOCK_BATCH_MQ / UNLOCK_BATCH_MQ', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await openTestBroker();
  });
  afterEach(async () => broker.close());

  it('grants free queues, refuses queues another client holds, and frees them on unlock', () => {
    expect(lock(broker, 'A', [q0])).toEqual([q0]);
    expect(lock(broker, 'B')).toEqual([q1]);
    const unlockBody = encodeUnlockBatchRequestBody({ consumerGroup: 'cg', clientId: 'A', mqSet: [q0] });
    const unlocked = processUnlockBatchMq(
      broker.context,
      request(RequestCode.UNLOCK_BATCH_MQ, {}, unlockBody),
      rc,
    );
    expect([unlocked.code, unlocked.body.length]).toEqual([ResponseCode.SUCCESS, 0]);
    expect(lock(broker, 'B')).toEqual([q0, q1]);
  });

  it('hands over a lock that was not renewed for 60 s, on the context clock', () => {
    lock(broker, 'A', [q0]);
    broker.clock.advance(60_001);
    expect(lock(broker, 'B', [q0])).toEqual([q0]);
  });

  it('throws BodyDecodeError on a body without clientId', () => {
    const bad = request(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from('{"consumerGroup":"cg","mqSet":[]}'));
    expect(() => processLockBatchMq(broker.context, bad, rc)).toThrow(BodyDecodeError);
    const badUnlock = request(RequestCode.UNLOCK_BATCH_MQ, {}, Buffer.from('not json'));
    expect(() => processUnlockBatchMq(broker.context, badUnlock, rc)).toThrow(BodyDecodeError);
  });
});
