import { FrameDecoder } from '../../src/protocol/remoting/frame-decoder';
import { encodeFrame } from '../../src/protocol/remoting/frame-encoder';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { decodeSendMessageHeader } from '../../src/protocol/headers/send-headers';
import { PullMessageRequestHeader, PullSysFlag } from '../../src/protocol/headers/pull-headers';
import { parseMessageProperties } from '../../src/protocol/message/message-properties';
import { BENCH_BODY, pullRequest, sendRequest, uniqueKeyOf } from '../../bench/bench-requests';

function throughTheWire(frame: Buffer) {
  const { commands, error } = new FrameDecoder().push(frame);
  expect(error).toBeUndefined();
  expect(commands).toHaveLength(1);
  return commands[0]!;
}

describe('broker benchmark requests', () => {
  it.each(['JSON', 'ROCKETMQ'] as const)('a send decodes as the broker decodes it (%s header)', (type) => {
    const decoded = throughTheWire(
      encodeFrame(sendRequest({ topic: 'BenchTopic', queueId: 3, sequence: 7, serializeType: type })),
    );
    expect(decoded.code).toBe(RequestCode.SEND_MESSAGE_V2);
    expect(decoded.serializeType).toBe(type);
    expect(decoded.body.equals(BENCH_BODY)).toBe(true);
    const header = decodeSendMessageHeader(decoded.code, decoded.extFields);
    expect(header).toMatchObject({ topic: 'BenchTopic', queueId: 3, defaultTopic: 'TBW102' });
    const properties = parseMessageProperties(header.properties ?? '');
    expect(properties.get('UNIQ_KEY')).toBe(uniqueKeyOf(7));
    expect(properties.get('TAGS')).toBe('TagA');
  });

  it('gives every message its own 32-digit client message id', () => {
    expect(uniqueKeyOf(1)).toHaveLength(32);
    expect(uniqueKeyOf(1)).not.toBe(uniqueKeyOf(2));
    expect(uniqueKeyOf(0x1_0000_0001)).toMatch(/^[0-9A-F]{32}$/);
  });

  it('a pull asks for a batch at an offset, with its subscription and without suspending', () => {
    const decoded = throughTheWire(
      encodeFrame(pullRequest({ topic: 'BenchPull', queueId: 0, offset: 64, maxMessages: 32 })),
    );
    expect(decoded.code).toBe(RequestCode.PULL_MESSAGE);
    const header = PullMessageRequestHeader.decode(decoded.extFields);
    expect(header).toMatchObject({ topic: 'BenchPull', queueOffset: 64, maxMsgNums: 32, subscription: '*' });
    expect(header.sysFlag & PullSysFlag.SUSPEND).toBe(0);
    expect(header.sysFlag & PullSysFlag.SUBSCRIPTION).not.toBe(0);
  });
});
