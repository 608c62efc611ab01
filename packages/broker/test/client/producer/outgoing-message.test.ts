import {
  InvalidMessageError,
  MessageTooLargeError,
  UnsupportedCompressionError,
} from '../../../src/client/client-errors';
import { decompressBody } from '../../../src/client/compression';
import { prepareBatch, prepareMessage } from '../../../src/client/producer/outgoing-message';
import { FakeClock } from '../../../src/common/fake-clock';
import { decodeBatchMessageBody } from '../../../src/protocol/bodies/batch-message-body';
import { UniqueMessageIdGenerator } from '../../../src/protocol/message/message-id';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { MessageSysFlag } from '../../../src/protocol/message/message-sys-flag';

const limits = { maxMessageSize: 1000, compressMsgBodyOverHowmuch: 100, createTopicKey: 'TBW102' };
const ids = () =>
  new UniqueMessageIdGenerator({
    clock: new FakeClock(),
    ip: Uint8Array.of(10, 0, 0, 1),
    pid: 7,
    classLoaderHash: 1,
  });

describe('prepareMessage', () => {
  it('writes tags, keys, delay level, WAIT and UNIQ_KEY as RocketMQ properties', () => {
    const out = prepareMessage(
      {
        topic: 'T',
        body: 'x',
        tags: 'A',
        keys: ['k1', 'k2'],
        delayLevel: 3,
        waitStoreMsgOk: false,
        properties: { p: 'v' },
      },
      limits,
      ids(),
    );
    expect(Object.fromEntries(parseMessageProperties(out.properties))).toEqual({
      p: 'v',
      TAGS: 'A',
      KEYS: 'k1 k2',
      DELAY: '3',
      WAIT: 'false',
      UNIQ_KEY: out.msgId,
    });
    expect(out.sysFlag).toBe(0);
    expect(out.body.toString()).toBe('x');
  });

  it('compresses bodies at the threshold (zlib bits set) and not below it', () => {
    const below = prepareMessage({ topic: 'T', body: Buffer.alloc(99, 7) }, limits, ids());
    expect(below.sysFlag).toBe(0);
    const at = prepareMessage({ topic: 'T', body: Buffer.alloc(100, 7) }, limits, ids());
    expect(at.sysFlag).toBe(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE);
    expect(decompressBody(at.body, at.sysFlag).equals(Buffer.alloc(100, 7))).toBe(true);
  });

  it('refuses reserved properties, empty bodies, bad topics, the template topic, bad delay levels and big bodies', () => {
    expect(() =>
      prepareMessage({ topic: 'T', body: 'x', properties: { UNIQ_KEY: 'mine' } }, limits, ids()),
    ).toThrow(InvalidMessageError);
    expect(() => prepareMessage({ topic: 'T', body: '' }, limits, ids())).toThrow(/empty/);
    expect(() => prepareMessage({ topic: 'a b', body: 'x' }, limits, ids())).toThrow(/not valid/);
    expect(() => prepareMessage({ topic: 'TBW102', body: 'x' }, limits, ids())).toThrow(/template/);
    expect(() => prepareMessage({ topic: 'T', body: 'x', delayLevel: 1.5 }, limits, ids())).toThrow(
      /delayLevel/,
    );
    expect(() => prepareMessage({ topic: 'T', body: Buffer.alloc(1001) }, limits, ids())).toThrow(
      MessageTooLargeError,
    );
  });

  it('sends deliverAt as TIMER_DELIVER_MS, from a Date or epoch ms, and refuses it with a delay level', () => {
    const at = 1_800_000_000_123;
    for (const deliverAt of [at, new Date(at)]) {
      const prepared = prepareMessage({ topic: 'T', body: 'x', deliverAt }, limits, ids());
      expect(parseMessageProperties(prepared.properties).get('TIMER_DELIVER_MS')).toBe(String(at));
    }
    expect(() =>
      prepareMessage({ topic: 'T', body: 'x', deliverAt: at, delayLevel: 2 }, limits, ids()),
    ).toThrow(/delayLevel or a deliverAt time, not both/);
    expect(() => prepareMessage({ topic: 'T', body: 'x', deliverAt: new Date(NaN) }, limits, ids())).toThrow(
      /deliverAt must be a valid Date/,
    );
    expect(() => prepareBatch([{ topic: 'T', body: 'a', deliverAt: at }], limits, ids())).toThrow(
      /deliverAt/,
    );
  });
});

describe('prepareBatch', () => {
  it('encodes one entry per message with its own UNIQ_KEY and WAIT at batch level', () => {
    const out = prepareBatch(
      [
        { topic: 'T', body: 'a', tags: 'x' },
        { topic: 'T', body: 'b' },
      ],
      limits,
      ids(),
    );
    const entries = decodeBatchMessageBody(out.body);
    const msgIds = out.msgId.split(',');
    expect(entries.map((e) => [e.body.toString(), e.properties.get('UNIQ_KEY')])).toEqual([
      ['a', msgIds[0]],
      ['b', msgIds[1]],
    ]);
    expect(entries[0]!.properties.get('TAGS')).toBe('x');
    expect(Object.fromEntries(parseMessageProperties(out.properties))).toEqual({ WAIT: 'true' });
    expect(out.batch).toBe(true);
  });

  it('refuses empty batches, mixed topics, delayed messages and batches over the size limit', () => {
    expect(() => prepareBatch([], limits, ids())).toThrow(/empty/);
    expect(() =>
      prepareBatch(
        [
          { topic: 'T', body: 'a' },
          { topic: 'U', body: 'b' },
        ],
        limits,
        ids(),
      ),
    ).toThrow(/one topic/);
    expect(() => prepareBatch([{ topic: 'T', body: 'a', delayLevel: 2 }], limits, ids())).toThrow(/delayed/);
    const many = Array.from({ length: 20 }, () => ({ topic: 'T', body: Buffer.alloc(60) }));
    expect(() => prepareBatch(many, limits, ids())).toThrow(/encoded batch of 20 messages/);
  });
});

describe('decompressBody', () => {
  it('says clearly that LZ4 and ZSTD bodies are not supported', () => {
    const lz4 = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_LZ4_TYPE;
    const zstd = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZSTD_TYPE;
    expect(() => decompressBody(Buffer.from('x'), lz4)).toThrow(UnsupportedCompressionError);
    expect(() => decompressBody(Buffer.from('x'), lz4)).toThrow(/LZ4.*not support/);
    expect(() => decompressBody(Buffer.from('x'), zstd)).toThrow(/ZSTD/);
  });

  it('reads a body with only COMPRESSED_FLAG (pre-4.9 producers) as zlib, and rejects bytes that do not inflate', () => {
    const plain = prepareMessage({ topic: 'T', body: Buffer.alloc(200, 3) }, limits, ids());
    expect(decompressBody(plain.body, MessageSysFlag.COMPRESSED_FLAG).length).toBe(200);
    expect(() => decompressBody(Buffer.from('not zlib'), MessageSysFlag.COMPRESSED_FLAG)).toThrow(
      /does not inflate/,
    );
  });
});
