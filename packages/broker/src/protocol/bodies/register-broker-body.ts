// RegisterBrokerBody: the body of REGISTER_BROKER (103), sent by every broker to every name server
// (fact sheet §2.2). Two forms, chosen by the header's `compressed` flag:
//
// uncompressed (fastjson):
//   {"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},
//    "topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG",
//    "topicName":"T","topicSysFlag":0,"writeQueueNums":4}}}}
//
// compressed (`compressedRegister`): zlib (Java Deflater, BEST_COMPRESSION) of
//   +-------+------------------+-------+--------------------------------------+-------+------------------+
//   | int n | DataVersion JSON | int c | c × (int n | "name read write perm  | int n | filterServerList |
//   |       | (n bytes)        |       |          filterType", n bytes)       |       | JSON (n bytes)   |
//   +-------+------------------+-------+--------------------------------------+-------+------------------+
//   ints big-endian. The 5-token topic text (TopicConfig.encode) has no topicSysFlag and no order:
//   they arrive as the defaults, 0 and false, exactly as a Java name server reads them.
//
// The header's `bodyCrc32` is the masked CRC32 of the body bytes as sent (0 = unchecked).

import * as zlib from 'node:zlib';
import { writeFastjson, writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { bodyCrc32 } from '../message/crc32';
import { dataVersionToJson, type DataVersion } from '../../store/metadata/data-version';
import {
  resolveTopicConfig,
  TOPIC_CONFIG_DEFAULTS,
  TOPIC_FILTER_TYPES,
  topicConfigToJson,
  type TopicConfig,
} from '../../store/metadata/topic-config-file';
import { BodyDecodeError, BodyEncodeError } from './body-errors';
import { BodyValue, listField, parseBody } from './body-value';

const BODY = 'RegisterBrokerBody';

/** Far above any real topic table (~100 bytes per topic); only stops a zlib bomb from eating memory. */
export const MAX_INFLATED_REGISTER_BODY_BYTES = 64 * 1024 * 1024;

/** TopicConfigSerializeWrapper as a model: the topic table of config/topics.json. */
export interface TopicConfigSerializeWrapper {
  readonly dataVersion: DataVersion;
  readonly topicConfigTable: ReadonlyMap<string, TopicConfig>;
}

export interface RegisterBrokerBody {
  readonly topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  readonly filterServerList: readonly string[];
}

/** The value for RegisterBrokerRequestHeader.bodyCrc32: masked CRC32 of the body bytes. */
export function registerBrokerBodyCrc32(body: Uint8Array): number {
  return bodyCrc32(body);
}

/** What the name server checks before decoding: a header crc of 0 means "not computed". */
export function registerBrokerBodyCrcMatches(body: Uint8Array, headerCrc32: number): boolean {
  return headerCrc32 === 0 || bodyCrc32(body) === headerCrc32;
}

export function encodeRegisterBrokerBody(
  body: RegisterBrokerBody,
  options: { compressed?: boolean } = {},
): Buffer {
  if (options.compressed === true) return encodeCompressed(body);
  const wrapper = body.topicConfigSerializeWrapper;
  return writeFastjsonBytes({
    filterServerList: body.filterServerList,
    topicConfigSerializeWrapper: {
      dataVersion: { ...dataVersionToJson(wrapper.dataVersion) },
      topicConfigTable: new Map(
        [...wrapper.topicConfigTable].map(([name, config]) => [name, { ...topicConfigToJson(config) }]),
      ),
    },
  });
}

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes.length);
  return [length, bytes];
}

function encodeCompressed(body: RegisterBrokerBody): Buffer {
  const wrapper = body.topicConfigSerializeWrapper;
  const count = Buffer.alloc(4);
  count.writeInt32BE(wrapper.topicConfigTable.size);
  const parts = [
    ...lengthPrefixed(Buffer.from(writeFastjson({ ...dataVersionToJson(wrapper.dataVersion) }))),
    count,
  ];
  for (const config of wrapper.topicConfigTable.values()) {
    // The text form is space-separated; a name with a space could not be read back.
    if (/\s/.test(config.topicName))
      throw new BodyEncodeError(BODY, `topic name ${JSON.stringify(config.topicName)} contains whitespace`);
    const text = [
      config.topicName,
      config.readQueueNums,
      config.writeQueueNums,
      config.perm,
      config.topicFilterType,
    ].join(' ');
    parts.push(...lengthPrefixed(Buffer.from(text, 'utf8')));
  }
  parts.push(...lengthPrefixed(writeFastjsonBytes(body.filterServerList)));
  return zlib.deflateSync(Buffer.concat(parts), { level: zlib.constants.Z_BEST_COMPRESSION });
}

/** Decodes either form; `compressed` is the request header's flag. Throws BodyDecodeError. */
export function decodeRegisterBrokerBody(bytes: Uint8Array, compressed: boolean): RegisterBrokerBody {
  return compressed ? decodeCompressed(bytes) : decodeJson(bytes);
}

function decodeJson(bytes: Uint8Array): RegisterBrokerBody {
  const root = parseBody(BODY, bytes);
  const wrapper = root.required('topicConfigSerializeWrapper');
  const topicConfigTable = new Map<string, TopicConfig>();
  for (const [name, value] of wrapper.field('topicConfigTable')?.entries() ?? []) {
    topicConfigTable.set(name, readTopicConfig(name, value));
  }
  return {
    topicConfigSerializeWrapper: {
      dataVersion: readDataVersion(wrapper.required('dataVersion')),
      topicConfigTable,
    },
    filterServerList: listField(root, 'filterServerList', (item) => item.string()),
  };
}

function readDataVersion(value: BodyValue): DataVersion {
  return { timestamp: value.field('timestamp')?.long() ?? 0, counter: value.field('counter')?.long() ?? 0 };
}

function readTopicConfig(key: string, value: BodyValue): TopicConfig {
  const defaults = TOPIC_CONFIG_DEFAULTS;
  const input = {
    topicName: value.field('topicName')?.string() ?? key,
    readQueueNums: value.field('readQueueNums')?.int() ?? defaults.readQueueNums,
    writeQueueNums: value.field('writeQueueNums')?.int() ?? defaults.writeQueueNums,
    perm: value.field('perm')?.int() ?? defaults.perm,
    topicFilterType: value.field('topicFilterType')?.oneOf(TOPIC_FILTER_TYPES) ?? defaults.topicFilterType,
    topicSysFlag: value.field('topicSysFlag')?.int() ?? defaults.topicSysFlag,
    order: value.field('order')?.boolean() ?? defaults.order,
  };
  return resolveChecked(input, value.path);
}

function resolveChecked(input: Parameters<typeof resolveTopicConfig>[0], path: string): TopicConfig {
  try {
    return resolveTopicConfig(input);
  } catch (error: unknown) {
    // resolveTopicConfig's RangeError names the field; it becomes this body's typed error.
    if (error instanceof RangeError) throw new BodyDecodeError(BODY, path, error.message, { cause: error });
    throw error;
  }
}

/** A bounds-checked reader of the inflated compressed form. */
class CompressedReader {
  #at = 0;
  constructor(readonly bytes: Buffer) {}

  int(what: string): number {
    if (this.#at + 4 > this.bytes.length)
      throw this.fail(what, `needs 4 bytes at offset ${this.#at}, only ${this.bytes.length - this.#at} left`);
    const value = this.bytes.readInt32BE(this.#at);
    this.#at += 4;
    return value;
  }

  chunk(what: string): Buffer {
    const length = this.int(`${what} length`);
    if (length < 0 || length > this.bytes.length - this.#at) {
      throw this.fail(what, `length ${length} does not fit the ${this.bytes.length - this.#at} bytes left`);
    }
    const chunk = this.bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return chunk;
  }

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  fail(what: string, problem: string): BodyDecodeError {
    return new BodyDecodeError(BODY, `(compressed) ${what}`, problem);
  }
}

function inflate(bytes: Uint8Array): Buffer {
  try {
    return zlib.inflateSync(bytes, { maxOutputLength: MAX_INFLATED_REGISTER_BODY_BYTES });
  } catch (error: unknown) {
    throw new BodyDecodeError(
      BODY,
      '',
      `not a valid zlib stream (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

function decodeCompressed(bytes: Uint8Array): RegisterBrokerBody {
  const reader = new CompressedReader(inflate(bytes));
  const dataVersion = readDataVersion(parseBody(BODY, reader.chunk('dataVersion'), { path: 'dataVersion' }));
  const count = reader.int('topic count');
  // Every topic takes at least its 4-byte length: a larger count is a lie, refused before looping.
  if (count < 0 || count * 4 > reader.remaining)
    throw reader.fail('topic count', `${count} topics cannot fit ${reader.remaining} bytes`);
  const topicConfigTable = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const where = `topicConfigTable[${i}]`;
    const tokens = reader.chunk(where).toString('utf8').split(' ');
    const [topicName, read, write, perm, filterType] = tokens;
    if (tokens.length !== 5 || topicName === undefined || filterType === undefined) {
      throw reader.fail(
        where,
        `expected 5 space-separated tokens "name read write perm filterType", found ${tokens.length}`,
      );
    }
    const intToken = (text: string | undefined, field: string): number => {
      const n = text !== undefined && /^-?[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(n)) throw reader.fail(`${where}.${field}`, `${JSON.stringify(text)} is not an int`);
      return n;
    };
    const topicFilterType = TOPIC_FILTER_TYPES.find((type) => type === filterType);
    if (topicFilterType === undefined)
      throw reader.fail(
        `${where}.topicFilterType`,
        `${JSON.stringify(filterType)} is not one of ${TOPIC_FILTER_TYPES.join(', ')}`,
      );
    const config = resolveChecked(
      {
        topicName,
        readQueueNums: intToken(read, 'readQueueNums'),
        writeQueueNums: intToken(write, 'writeQueueNums'),
        perm: intToken(perm, 'perm'),
        topicFilterType,
      },
      `(compressed) ${where}`,
    );
    topicConfigTable.set(config.topicName, config);
  }
  const filters = parseBody(BODY, reader.chunk('filterServerList'), { path: 'filterServerList' });
  const filterServerList = filters.items().map((item) => item.string());
  return { topicConfigSerializeWrapper: { dataVersion, topicConfigTable }, filterServerList };
}
