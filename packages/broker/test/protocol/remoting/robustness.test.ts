// Bad input from the network never throws: it yields a typed error, or the decoder waits for more
// bytes. After an error the decoder refuses further input.
import fc from 'fast-check';
import {
  FrameDecoder,
  FrameTooLargeError,
  RemotingDecodeError,
  RemotingErrorCodes,
  createRequest,
  decodeCommand,
  decodeJsonHeader,
  decodeRocketMqHeader,
  encodeFrame,
  encodeJsonHeader,
  encodeRocketMqHeader,
  type SerializeTypeName,
} from '../../../src/protocol/remoting';
import { arbitraryCommand, hex } from './fixtures';

const sample = createRequest({
  code: 310,
  opaque: 7,
  remark: 'rémark',
  extFields: { a: 'topic', b: '42', n: 'broker-a' },
  body: Buffer.from('hello'),
});

describe('frame length', () => {
  it('rejects a frame over the default 16 MiB limit, counting the length prefix as Netty does', () => {
    const atLimit = new FrameDecoder().push(hex('00FFFFFC 00000000'));
    expect(atLimit.error).toBeUndefined();
    const decoder = new FrameDecoder();
    const result = decoder.push(hex('00FFFFFD 00000000'));
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect(result.error).toMatchObject({
      code: RemotingErrorCodes.FRAME_TOO_LARGE,
      problem: 'frame-too-large',
      frameLengthBytes: 16 * 1024 * 1024 + 1,
      maxFrameLengthBytes: 16 * 1024 * 1024,
      retriable: false,
    });
  });

  it('honours a configured limit and refuses further input after the error', () => {
    const good = encodeFrame(createRequest({ code: 34, opaque: 1, serializeType: 'ROCKETMQ' }));
    const tooBig = encodeFrame(createRequest({ code: 34, opaque: 2, body: Buffer.alloc(100) }));
    const decoder = new FrameDecoder({ maxFrameLengthBytes: 64 });
    const result = decoder.push(Buffer.concat([good, tooBig]));
    expect(result.commands.map((c) => c.opaque)).toEqual([1]);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    const after = decoder.push(good);
    expect(after).toEqual({ commands: [], error: result.error });
    expect(decoder.error).toBe(result.error);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('rejects the oversized length as soon as the prefix arrives, before the body', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(hex('7F')).error).toBeUndefined();
    expect(decoder.push(hex('FFFFFF')).error).toBeInstanceOf(FrameTooLargeError);
  });

  it.each([
    ['negative', '80000000'],
    ['zero', '00000000'],
    ['smaller than the header-length word', '00000003'],
  ])('rejects a %s length', (_name, prefix) => {
    const result = new FrameDecoder().push(hex(`${prefix} 00000000`));
    expect(result.error).toMatchObject({ code: RemotingErrorCodes.DECODE, problem: 'frame-length-invalid' });
  });
});

describe('frame content', () => {
  it('rejects an unknown serialize type', () => {
    expect(decodeCommand(hex('02000000'))).toMatchObject({
      ok: false,
      error: { problem: 'serialize-type-unknown' },
    });
  });

  it('rejects a header length beyond the frame', () => {
    expect(decodeCommand(hex('00000005 7b7d'))).toMatchObject({
      ok: false,
      error: { problem: 'header-length-invalid' },
    });
  });
});

describe.each<[SerializeTypeName, (b: Buffer) => ReturnType<typeof decodeJsonHeader>]>([
  ['JSON', decodeJsonHeader],
  ['ROCKETMQ', decodeRocketMqHeader],
])('%s header truncated at every length', (type, decodeHeader) => {
  const header = type === 'JSON' ? encodeJsonHeader(sample) : encodeRocketMqHeader(sample);

  it('is a typed error for every proper prefix', () => {
    for (let length = 0; length < header.length; length++) {
      // An exact-size copy, so that reading past the end would throw instead of reading garbage.
      const result = decodeHeader(Buffer.from(header.subarray(0, length)));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBeInstanceOf(RemotingDecodeError);
    }
  });

  it('is a typed error, never a throw, when the frame header length is cut', () => {
    const frame = encodeFrame({ ...sample, serializeType: type });
    for (let cut = 0; cut < header.length; cut++) {
      const content = Buffer.from(frame.subarray(4));
      content.writeUInt32BE(((type === 'JSON' ? 0 : 1) << 24) | cut, 0);
      const result = decodeCommand(content.subarray(0, 4 + cut));
      expect(result.ok).toBe(false);
    }
  });

  it('makes the decoder wait, not fail, for every truncation of the frame', () => {
    const frame = encodeFrame({ ...sample, serializeType: type });
    for (let length = 0; length < frame.length; length++) {
      const result = new FrameDecoder().push(frame.subarray(0, length));
      expect(result).toEqual({ commands: [], error: undefined });
    }
  });
});

describe('random bytes', () => {
  it('never make the decoder throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const decoder = new FrameDecoder({ maxFrameLengthBytes: 4096 });
        for (const chunk of chunks) {
          const result = decoder.push(Buffer.from(chunk));
          if (result.error !== undefined) expect(result.error).toBeInstanceOf(RemotingDecodeError);
        }
      }),
    );
  });

  it.each<SerializeTypeName>(['JSON', 'ROCKETMQ'])('as a %s header never throw', (type) => {
    const decodeHeader = type === 'JSON' ? decodeJsonHeader : decodeRocketMqHeader;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const result = decodeHeader(Buffer.from(bytes));
        if (!result.ok) expect(result.error).toBeInstanceOf(RemotingDecodeError);
      }),
    );
  });

  it('single-byte corruption of valid frames never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(arbitraryCommand('JSON'), arbitraryCommand('ROCKETMQ')),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (command, position, xor) => {
          const frame = Buffer.from(encodeFrame(command));
          const at = position % frame.length;
          frame[at] = (frame[at] ?? 0) ^ xor;
          const result = new FrameDecoder({ maxFrameLengthBytes: 1 << 20 }).push(frame);
          if (result.error !== undefined) expect(result.error).toBeInstanceOf(RemotingDecodeError);
        },
      ),
    );
  });

  it('JSON nested deeper than the cap is an error, not a stack overflow', () => {
    const deep = `{"code":1,"opaque":1,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(decodeJsonHeader(Buffer.from(deep))).toMatchObject({
      ok: false,
      error: { problem: 'header-malformed' },
    });
  });
});

describe('ROCKETMQ header field checks', () => {
  const fixed = '0022 00 0199 00000001 00000000';

  it.each([
    ['negative remark length', `${fixed} FFFFFFFF 00000000`, 'field-invalid'],
    ['remark longer than the header', `${fixed} 00000010 00000000`, 'header-truncated'],
    ['ext length beyond the header', `${fixed} 00000000 00000010`, 'header-truncated'],
    ['ext entry cut inside the key', `${fixed} 00000000 00000003 0005 61`, 'header-truncated'],
    ['negative ext value length', `${fixed} 00000000 00000007 0001 61 FFFFFFFF`, 'field-invalid'],
  ])('%s', (_name, bytes, problem) => {
    expect(decodeRocketMqHeader(hex(bytes))).toMatchObject({ ok: false, error: { problem } });
  });

  it('reads unknown language codes as OTHER and drops empty ext keys and values', () => {
    const result = decodeRocketMqHeader(
      hex(
        `0022 63 0199 00000001 00000000 00000000 00000016 0001 61 00000000 | 0000 00000001 62 | 0001 63 00000001 64`,
      ),
    );
    expect(result.ok && result.value.language).toBe('OTHER');
    expect(result.ok && [...result.value.extFields]).toEqual([['c', 'd']]);
  });

  it('refuses to encode values that do not fit their Java types', () => {
    expect(() => encodeRocketMqHeader(createRequest({ code: 40_000, opaque: 1 }))).toThrow(
      expect.objectContaining({ code: RemotingErrorCodes.ENCODE, field: 'code' }),
    );
    expect(() => encodeJsonHeader(createRequest({ code: 1, opaque: 2 ** 31 }))).toThrow(
      expect.objectContaining({ code: RemotingErrorCodes.ENCODE, field: 'opaque' }),
    );
  });
});
