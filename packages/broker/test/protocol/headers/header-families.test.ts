import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { decodeJsonHeader, encodeJsonHeader } from '../../../src/protocol/remoting/json-header';
import { HeaderFieldError } from '../../../src/protocol/headers/header-errors';
import {
  decodeSendMessageHeader,
  encodeSendMessageHeaderV2,
  SendMessageRequestHeader,
  SendMessageResponseHeader,
  type SendMessageRequestHeader as SendHeader,
} from '../../../src/protocol/headers/send-headers';
import {
  GetRouteInfoRequestHeader,
  RegisterBrokerRequestHeader,
} from '../../../src/protocol/headers/namesrv-headers';
import { QueryMessageRequestHeader } from '../../../src/protocol/headers/query-headers';
import { PullSysFlag, hasPullSysFlag } from '../../../src/protocol/headers/pull-headers';
import { CreateTopicRequestHeader } from '../../../src/protocol/headers/admin-headers';
import { EndTransactionRequestHeader } from '../../../src/protocol/headers/transaction-headers';
import { ConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back-headers';

const SEND: SendHeader = {
  producerGroup: 'pg',
  topic: 'T',
  defaultTopic: 'TBW102',
  defaultTopicQueueNums: 4,
  queueId: 1,
  sysFlag: 0,
  bornTimestamp: 1700000000000,
  flag: 0,
  properties: 'UNIQ_KEY\u0001abc',
  reconsumeTimes: 0,
  unitMode: false,
  maxReconsumeTimes: undefined,
  batch: false,
  bname: undefined,
};

describe('send headers', () => {
  it('writes V2 one-letter names a..n', () => {
    expect(Object.fromEntries(encodeSendMessageHeaderV2(SEND))).toEqual({
      a: 'pg',
      b: 'T',
      c: 'TBW102',
      d: '4',
      e: '1',
      f: '0',
      g: '1700000000000',
      h: '0',
      i: 'UNIQ_KEY\u0001abc',
      j: '0',
      k: 'false',
      m: 'false',
    });
  });

  it('decodes SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE into the same long-name value', () => {
    const v1 = SendMessageRequestHeader.encode(SEND);
    const v2 = encodeSendMessageHeaderV2(SEND);
    expect(decodeSendMessageHeader(RequestCode.SEND_MESSAGE, v1)).toEqual(SEND);
    expect(decodeSendMessageHeader(RequestCode.SEND_MESSAGE_V2, v2)).toEqual(SEND);
    expect(decodeSendMessageHeader(RequestCode.SEND_BATCH_MESSAGE, v2)).toEqual(SEND);
    expect(() => decodeSendMessageHeader(RequestCode.SEND_MESSAGE_V2, v1)).toThrow(HeaderFieldError);
    expect(() => decodeSendMessageHeader(RequestCode.PULL_MESSAGE, v1)).toThrow(/not a send request/);
  });

  it('names both the V2 wire name and the long name in errors', () => {
    const v2 = encodeSendMessageHeaderV2(SEND);
    v2.set('e', 'x');
    expect(() => decodeSendMessageHeader(RequestCode.SEND_MESSAGE_V2, v2)).toThrow(
      'SendMessageRequestHeaderV2.e (queueId): "x" is not an int',
    );
  });

  it('survives a JSON header round trip through the frame codec', () => {
    const request = createRequest({
      code: RequestCode.SEND_MESSAGE_V2,
      opaque: 7,
      extFields: encodeSendMessageHeaderV2(SEND),
    });
    const decoded = decodeJsonHeader(encodeJsonHeader(request));
    if (!decoded.ok) throw decoded.error;
    expect(decodeSendMessageHeader(decoded.value.code, decoded.value.extFields)).toEqual(SEND);
  });

  it('reads the response extras MSG_REGION and TRACE_ON', () => {
    const header = SendMessageResponseHeader.decode(
      new Map([
        ['msgId', '0A00000500002A9F0000000000000000'],
        ['queueId', '1'],
        ['queueOffset', '12'],
        ['MSG_REGION', 'DefaultRegion'],
        ['TRACE_ON', 'true'],
      ]),
    );
    expect(header).toMatchObject({
      queueOffset: 12,
      msgRegion: 'DefaultRegion',
      traceOn: 'true',
      transactionId: undefined,
    });
  });
});

describe('other families', () => {
  it('reads the golden GET_ROUTEINFO_BY_TOPIC header of fact sheet §1.4b', () => {
    const text =
      '{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":409}';
    const decoded = decodeJsonHeader(Buffer.from(text));
    if (!decoded.ok) throw decoded.error;
    expect(GetRouteInfoRequestHeader.decode(decoded.value.extFields)).toEqual({
      topic: 'T',
      acceptStandardJsonOnly: undefined,
    });
  });

  it('applies Java defaults to RegisterBroker compressed/bodyCrc32 and CreateTopic order', () => {
    const register = RegisterBrokerRequestHeader.decode(
      new Map([
        ['brokerName', 'b'],
        ['brokerAddr', '10.0.0.5:10911'],
        ['clusterName', 'c'],
        ['haServerAddr', '10.0.0.5:10912'],
        ['brokerId', '0'],
      ]),
    );
    expect(register).toMatchObject({ compressed: false, bodyCrc32: 0, brokerId: 0 });
    const create = CreateTopicRequestHeader.decode(
      new Map([
        ['topic', 'T'],
        ['defaultTopic', 'TBW102'],
        ['readQueueNums', '4'],
        ['writeQueueNums', '4'],
        ['perm', '6'],
        ['topicFilterType', 'SINGLE_TAG'],
      ]),
    );
    expect(create).toMatchObject({ order: false, topicSysFlag: undefined });
  });

  it('maps the _UNIQUE_KEY_QUERY ext field of QUERY_MESSAGE', () => {
    const base: Array<[string, string]> = [
      ['topic', 'T'],
      ['key', 'k'],
      ['maxNum', '32'],
      ['beginTimestamp', '0'],
      ['endTimestamp', '9'],
    ];
    expect(QueryMessageRequestHeader.decode(new Map(base)).uniqueKeyQuery).toBe(false);
    expect(
      QueryMessageRequestHeader.decode(new Map([...base, ['_UNIQUE_KEY_QUERY', 'true']])).uniqueKeyQuery,
    ).toBe(true);
    const encoded = QueryMessageRequestHeader.encode({
      topic: 'T',
      key: 'k',
      maxNum: 1,
      beginTimestamp: 0,
      endTimestamp: 1,
      uniqueKeyQuery: true,
    });
    expect(encoded.get('_UNIQUE_KEY_QUERY')).toBe('true');
  });

  it('round-trips transaction and send-back headers', () => {
    const end = {
      producerGroup: 'pg',
      tranStateTableOffset: 3,
      commitLogOffset: 4096,
      commitOrRollback: 8,
      fromTransactionCheck: true,
      msgId: 'AC1',
      transactionId: undefined,
      bname: undefined,
    };
    expect(EndTransactionRequestHeader.decode(EndTransactionRequestHeader.encode(end))).toEqual(end);
    const back = {
      offset: 1,
      group: 'g',
      delayLevel: -1,
      originMsgId: 'm',
      originTopic: 'T',
      unitMode: false,
      maxReconsumeTimes: 16,
      bname: 'b',
    };
    expect(ConsumerSendMsgBackRequestHeader.decode(ConsumerSendMsgBackRequestHeader.encode(back))).toEqual(
      back,
    );
  });

  it('exposes the pull sysFlag bits', () => {
    expect(PullSysFlag).toEqual({
      COMMIT_OFFSET: 1,
      SUSPEND: 2,
      SUBSCRIPTION: 4,
      CLASS_FILTER: 8,
      LITE_PULL: 16,
    });
    expect(hasPullSysFlag(PullSysFlag.SUSPEND | PullSysFlag.COMMIT_OFFSET, PullSysFlag.SUSPEND)).toBe(true);
    expect(hasPullSysFlag(PullSysFlag.SUSPEND, PullSysFlag.SUBSCRIPTION)).toBe(false);
  });
});
