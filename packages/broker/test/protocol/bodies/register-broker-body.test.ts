import * as zlib from 'node:zlib';
import { BodyDecodeError } from '../../../src/protocol/bodies/body-errors';
import {
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  registerBrokerBodyCrc32,
  registerBrokerBodyCrcMatches,
  type RegisterBrokerBody,
} from '../../../src/protocol/bodies/register-broker-body';

const BODY: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    dataVersion: { timestamp: 1700000000000, counter: 3 },
    topicConfigTable: new Map([
      [
        'T',
        {
          topicName: 'T',
          readQueueNums: 4,
          writeQueueNums: 4,
          perm: 6,
          topicFilterType: 'SINGLE_TAG',
          topicSysFlag: 0,
          order: false,
        },
      ],
    ]),
  },
  filterServerList: [],
};

function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function chunk(text: string): Buffer[] {
  const bytes = Buffer.from(text);
  return [int(bytes.length), bytes];
}

describe('RegisterBrokerBody', () => {
  it('writes the uncompressed JSON of fact sheet §2.2 and reads it back', () => {
    const bytes = encodeRegisterBrokerBody(BODY);
    expect(bytes.toString()).toBe(
      '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},' +
        '"topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}}}}',
    );
    expect(decodeRegisterBrokerBody(bytes, false)).toEqual(BODY);
  });

  it('reads a compressed body laid out as Java writes it', () => {
    const raw = Buffer.concat([
      ...chunk('{"counter":3,"timestamp":1700000000000}'),
      int(1),
      ...chunk('T 4 4 6 SINGLE_TAG'),
      ...chunk('["10.0.0.5:3000"]'),
    ]);
    const decoded = decodeRegisterBrokerBody(zlib.deflateSync(raw, { level: 9 }), true);
    expect(decoded).toEqual({ ...BODY, filterServerList: ['10.0.0.5:3000'] });
    expect(zlib.inflateSync(encodeRegisterBrokerBody(decoded, { compressed: true }))).toEqual(raw);
  });

  it('drops topicSysFlag and order in the compressed form, as Java does', () => {
    const table = new Map(BODY.topicConfigSerializeWrapper.topicConfigTable);
    table.set('O', {
      topicName: 'O',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
      topicFilterType: 'MULTI_TAG',
      topicSysFlag: 1,
      order: true,
    });
    const body = {
      ...BODY,
      topicConfigSerializeWrapper: { ...BODY.topicConfigSerializeWrapper, topicConfigTable: table },
    };
    const decoded = decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, { compressed: true }), true);
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable.get('O')).toMatchObject({
      topicSysFlag: 0,
      order: false,
      topicFilterType: 'MULTI_TAG',
    });
  });

  it.each([
    ['not zlib', Buffer.from('plain'), ''],
    ['truncated', zlib.deflateSync(Buffer.concat([int(100), Buffer.from('{}')])), '(compressed) dataVersion'],
    [
      'huge topic count',
      zlib.deflateSync(Buffer.concat([...chunk('{}'), int(1_000_000_000)])),
      '(compressed) topic count',
    ],
    [
      'bad topic text',
      zlib.deflateSync(Buffer.concat([...chunk('{}'), int(1), ...chunk('T 4 4')])),
      '(compressed) topicConfigTable[0]',
    ],
    [
      'bad filter type',
      zlib.deflateSync(Buffer.concat([...chunk('{}'), int(1), ...chunk('T 4 4 6 X')])),
      '(compressed) topicConfigTable[0].topicFilterType',
    ],
  ])('rejects a compressed body that is %s', (_name, bytes, field) => {
    let caught: unknown;
    try {
      decodeRegisterBrokerBody(bytes, true);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BodyDecodeError);
    expect(caught).toMatchObject({ body: 'RegisterBrokerBody', field });
  });

  it('rejects negative queue counts through the topic config rules', () => {
    const text =
      '{"topicConfigSerializeWrapper":{"dataVersion":{},"topicConfigTable":{"T":{"readQueueNums":-1}}}}';
    expect(() => decodeRegisterBrokerBody(Buffer.from(text), false)).toThrow(
      /RegisterBrokerBody\.topicConfigSerializeWrapper\.topicConfigTable\["T"\]: T: readQueueNums/,
    );
  });

  it('computes and checks bodyCrc32 with the masked CRC (0 = unchecked)', () => {
    expect(registerBrokerBodyCrc32(Buffer.from('a'))).toBe(1756872259);
    expect(registerBrokerBodyCrcMatches(Buffer.from('a'), 1756872259)).toBe(true);
    expect(registerBrokerBodyCrcMatches(Buffer.from('b'), 1756872259)).toBe(false);
    expect(registerBrokerBodyCrcMatches(Buffer.from('b'), 0)).toBe(true);
  });
});
