// Every body decoder, fed random text and random bytes, throws nothing but BodyDecodeError.
import fc from 'fast-check';
import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import { decodeClusterInfo } from '../../../src/protocol/bodies/cluster-info';
import { decodeHeartbeatData } from '../../../src/protocol/bodies/heartbeat-data';
import { decodeLockBatchRequestBody } from '../../../src/protocol/bodies/lock-batch-bodies';
import { decodeConsumeStats, decodeTopicStatsTable } from '../../../src/protocol/bodies/queue-stats-bodies';
import { decodeRegisterBrokerBody } from '../../../src/protocol/bodies/register-broker-body';
import { decodeKVTable, decodeTopicList } from '../../../src/protocol/bodies/simple-bodies';
import { decodeTopicRouteData } from '../../../src/protocol/bodies/topic-route-data';

const DECODERS: Array<[string, (bytes: Uint8Array) => unknown]> = [
  ['TopicRouteData', decodeTopicRouteData],
  ['ClusterInfo', decodeClusterInfo],
  ['HeartbeatData', decodeHeartbeatData],
  ['LockBatchRequestBody', decodeLockBatchRequestBody],
  ['TopicStatsTable', decodeTopicStatsTable],
  ['ConsumeStats', decodeConsumeStats],
  ['RegisterBrokerBody', (bytes) => decodeRegisterBrokerBody(bytes, false)],
  ['RegisterBrokerBody (compressed)', (bytes) => decodeRegisterBrokerBody(bytes, true)],
  ['KVTable', decodeKVTable],
  ['TopicList', decodeTopicList],
];

// JSON-ish values whose shapes come close to the real bodies, so decoders get past parsing.
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, 0, -1, 2 ** 31, 1.5, '', 'x', 'CLUSTERING', 'SINGLE_TAG'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'queueDatas',
        'brokerDatas',
        'brokerAddrs',
        'offsetTable',
        'table',
        'topicList',
        'clientID',
        'consumerDataSet',
        'topicConfigSerializeWrapper',
        'topicConfigTable',
        'dataVersion',
        'mqSet',
        'topic',
        'queueId',
        '0',
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

function expectOnlyBodyErrors(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(BodyDecodeError);
  }
}

describe.each(DECODERS)('%s decoder on hostile input', (_name, decode) => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expectOnlyBodyErrors(decode, bytes)),
      { numRuns: 300 },
    );
  });

  it('random JSON-shaped documents', () => {
    fc.assert(
      fc.property(jsonish, (value) => expectOnlyBodyErrors(decode, Buffer.from(JSON.stringify(value)))),
      { numRuns: 300 },
    );
  });
});
