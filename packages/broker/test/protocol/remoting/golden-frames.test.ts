// Golden bytes: the worked example of the fact sheet (§1.4b) in both serialisations, and a frame
// built by hand from the layout tables (§1.1, §1.4).
import {
  FrameDecoder,
  RequestCode,
  ResponseCode,
  createRequest,
  createResponse,
  encodeFrame,
  encodeJsonHeader,
  encodeRocketMqHeader,
  isOneway,
  isResponse,
  type RemotingCommand,
} from '../../../src/protocol/remoting';
import { hex, plain } from './fixtures';

const ROUTE_JSON_HEADER =
  '{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":409}';

function routeRequest(serializeType: 'JSON' | 'ROCKETMQ'): RemotingCommand {
  return createRequest({
    code: RequestCode.GET_ROUTEINFO_BY_TOPIC,
    opaque: 1,
    version: 409,
    extFields: { topic: 'T' },
    serializeType,
  });
}

function decodeOne(bytes: Buffer): RemotingCommand {
  const result = new FrameDecoder().push(bytes);
  expect(result.error).toBeUndefined();
  expect(result.commands).toHaveLength(1);
  return result.commands[0] as RemotingCommand;
}

describe('§1.4b GET_ROUTEINFO_BY_TOPIC, JSON', () => {
  const frame = Buffer.concat([hex('0000007F 0000007B'), Buffer.from(ROUTE_JSON_HEADER, 'latin1')]);

  it('has the 123-byte header the reference states', () => {
    expect(Buffer.byteLength(ROUTE_JSON_HEADER)).toBe(123);
  });

  it('encodes byte for byte', () => {
    expect(encodeJsonHeader(routeRequest('JSON')).toString('latin1')).toBe(ROUTE_JSON_HEADER);
    expect(encodeFrame(routeRequest('JSON')).toString('hex')).toBe(frame.toString('hex'));
  });

  it('decodes to the command', () => {
    expect(plain(decodeOne(frame))).toEqual(plain(routeRequest('JSON')));
  });
});

describe('§1.4b GET_ROUTEINFO_BY_TOPIC, ROCKETMQ', () => {
  const frame = hex(
    '00000025 | 01000021 | 0069 | 00 | 0199 | 00000001 | 00000000 | 00000000 | 0000000C |' +
      '0005 746f706963 | 00000001 54',
  );

  it('encodes byte for byte', () => {
    expect(encodeRocketMqHeader(routeRequest('ROCKETMQ')).length).toBe(33);
    expect(encodeFrame(routeRequest('ROCKETMQ')).toString('hex')).toBe(frame.toString('hex'));
  });

  it('decodes to the command', () => {
    expect(plain(decodeOne(frame))).toEqual(plain(routeRequest('ROCKETMQ')));
  });
});

describe('a hand-built ROCKETMQ response with remark, two ext fields and a body', () => {
  // Header: code 17 (TOPIC_NOT_EXIST), language GO (9), version 317, opaque -2, flag 3
  // (response + oneway bits), remark "no" (2), ext {a:"1", "é":"xyz"}, body "BODY".
  const extSection = '0001 61 00000001 31 | 0002 c3a9 00000003 78797a';
  const header = `0011 | 09 | 013d | fffffffe | 00000003 | 00000002 6e6f | 00000013 | ${extSection}`;
  const headerLength = 21 + 2 + 0x13; // 42 = 0x2a
  const frame = hex(`00000032 | 0100002a | ${header} | 424f4459`);

  it('matches the layout arithmetic', () => {
    expect(headerLength).toBe(42);
    expect(frame.length).toBe(4 + 4 + headerLength + 4);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  });

  it('decodes field by field', () => {
    const command = decodeOne(frame);
    expect(command.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(command.language).toBe('GO');
    expect(command.version).toBe(317);
    expect(command.opaque).toBe(-2);
    expect(isResponse(command)).toBe(true);
    expect(isOneway(command)).toBe(true);
    expect(command.remark).toBe('no');
    expect([...command.extFields]).toEqual([
      ['a', '1'],
      ['é', 'xyz'],
    ]);
    expect(command.body.toString()).toBe('BODY');
    expect(command.serializeType).toBe('ROCKETMQ');
  });

  it('re-encodes to the same bytes', () => {
    expect(encodeFrame(decodeOne(frame)).toString('hex')).toBe(frame.toString('hex'));
  });
});

describe('a hand-built JSON frame as the Go client writes it', () => {
  const header = '{"code":34,"language":"GO","version":317,"opaque":5,"flag":0,"remark":"","extFields":{}}';
  const headerBytes = Buffer.from(header);
  const frame = Buffer.alloc(8 + headerBytes.length + 2);
  frame.writeInt32BE(4 + headerBytes.length + 2, 0);
  frame.writeInt32BE(headerBytes.length, 4);
  headerBytes.copy(frame, 8);
  frame.write('{}', 8 + headerBytes.length);

  it('decodes', () => {
    const command = decodeOne(frame);
    expect(command).toMatchObject({ code: 34, language: 'GO', version: 317, opaque: 5, flag: 0, remark: '' });
    expect(command.extFields.size).toBe(0);
    expect(command.body.toString()).toBe('{}');
  });
});

describe('createResponse', () => {
  it('copies opaque and serialize type, sets only the response bit', () => {
    const request = createRequest({ code: 37, opaque: 99, oneway: true, serializeType: 'ROCKETMQ' });
    const response = createResponse(request, ResponseCode.SYSTEM_ERROR, 'boom');
    expect(response).toMatchObject({
      code: 1,
      opaque: 99,
      flag: 1,
      remark: 'boom',
      serializeType: 'ROCKETMQ',
    });
    expect(isResponse(response)).toBe(true);
    expect(isOneway(response)).toBe(false);
    expect(isResponse(request)).toBe(false);
    expect(isOneway(request)).toBe(true);
  });
});
