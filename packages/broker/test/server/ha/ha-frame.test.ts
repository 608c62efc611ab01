// The HA wire (facts §7.3): golden bytes of both directions, and decoders fed the stream in every
// possible cut, byte by byte, and several frames at once.

import {
  encodeOffsetReport,
  encodeTransferHeader,
  HA_FRAME_HEADER_SIZE,
  OffsetReportDecoder,
  TransferFrameDecoder,
  type TransferFrame,
} from '../../../src/server/ha/ha-frame';
import { HaErrorCodes } from '../../../src/server/ha/ha-errors';

/** A frame as bytes: header then data. */
function frame(offset: number, data: string): Buffer {
  const body = Buffer.from(data);
  return Buffer.concat([encodeTransferHeader(offset, body.length), body]);
}

function decodeAll(decoder: TransferFrameDecoder, chunks: readonly Buffer[]): Array<[number, string]> {
  const frames: TransferFrame[] = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  return frames.map((f) => [f.masterOffset, f.data.toString()]);
}

describe('HA framing', () => {
  it('writes a slave report as one big-endian int64', () => {
    expect(encodeOffsetReport(0x0102030405).toString('hex')).toBe('0000000102030405');
    expect(encodeOffsetReport(0).toString('hex')).toBe('0000000000000000');
  });

  it('writes a transfer header as int64 offset then int32 size', () => {
    expect(encodeTransferHeader(1_073_741_824, 32_768).toString('hex')).toBe('0000000040000000' + '00008000');
    expect(encodeTransferHeader(7, 0).toString('hex')).toBe('0000000000000007' + '00000000');
    expect(HA_FRAME_HEADER_SIZE).toBe(12);
  });

  it('refuses to encode what is not an offset or a size', () => {
    expect(() => encodeOffsetReport(-1)).toThrow(RangeError);
    expect(() => encodeTransferHeader(0, -1)).toThrow(RangeError);
    expect(() => encodeTransferHeader(2 ** 53, 0)).toThrow(RangeError);
  });

  it('decodes reports split anywhere and several at once', () => {
    const stream = Buffer.concat([
      encodeOffsetReport(1),
      encodeOffsetReport(300),
      encodeOffsetReport(2 ** 40),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new OffsetReportDecoder();
      expect([...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))]).toEqual([
        1,
        300,
        2 ** 40,
      ]);
    }
    const bytewise = new OffsetReportDecoder();
    const reports = [...stream].flatMap((byte) => bytewise.push(Buffer.from([byte])));
    expect(reports).toEqual([1, 300, 2 ** 40]);
  });

  it('decodes frames split at every byte, fed byte by byte, or all at once; heartbeats have no data', () => {
    const stream = Buffer.concat([frame(100, 'hello'), frame(105, ''), frame(105, 'world!')]);
    const expected = [
      [100, 'hello'],
      [105, ''],
      [105, 'world!'],
    ];
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new TransferFrameDecoder();
      expect(decodeAll(decoder, [stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
    expect(
      decodeAll(
        new TransferFrameDecoder(),
        [...stream].map((byte) => Buffer.from([byte])),
      ),
    ).toEqual(expected);
    expect(decodeAll(new TransferFrameDecoder(), [stream])).toEqual(expected);
  });

  it('rejects a stream that is not HA frames: a negative offset or an oversized frame', () => {
    const negative = Buffer.alloc(12, 0xff);
    expect(() => new TransferFrameDecoder().push(negative)).toThrow(
      expect.objectContaining({ code: HaErrorCodes.PROTOCOL }),
    );
    const huge = Buffer.concat([encodeOffsetReport(0), Buffer.from([0x7f, 0xff, 0xff, 0xff])]);
    expect(() => new TransferFrameDecoder().push(huge)).toThrow(/not an HA stream/);
    expect(() => new OffsetReportDecoder().push(Buffer.alloc(8, 0x80))).toThrow(
      expect.objectContaining({ code: HaErrorCodes.PROTOCOL }),
    );
  });
});
