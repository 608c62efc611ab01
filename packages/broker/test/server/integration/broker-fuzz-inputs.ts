// Hostile inputs for the live-broker fuzz test (broker-fuzz.test.ts), as fast-check arbitraries.
//
// A socket plan is what one raw TCP connection sends: a batch of well-framed requests (real request
// codes whose ext fields are missing, wrongly typed or out of range, whose bodies are random or
// wrong JSON; oneway and "response-flagged" variants too) that the broker must survive without
// closing the connection, then one tail that usually breaks the framing (random bytes, a valid
// frame cut short, a length over 16 MiB, a header length past the frame, an unknown serialize
// type, a JSON header that is not JSON or has wrongly typed fields, a ROCKETMQ header whose
// lengths point past its end), after which the client closes its side.
//
// Names are drawn mostly from small pools on purpose: every new valid topic or consumer group
// costs the broker a durable metadata write, and thousands of them would make the test slow
// without reaching any code the pools do not reach.

import fc from 'fast-check';

import type { HeaderCodec } from '../../../src/protocol/headers/header-codec';
import type { HeaderSchema } from '../../../src/protocol/headers/header-fields';
import {
  CreateTopicRequestHeader,
  DeleteTopicRequestHeader,
  GetConsumeStatsRequestHeader,
  GetTopicStatsInfoRequestHeader,
} from '../../../src/protocol/headers/admin-headers';
import {
  GetConsumerListByGroupRequestHeader,
  UnregisterClientRequestHeader,
} from '../../../src/protocol/headers/client-headers';
import {
  GetEarliestMsgStoretimeRequestHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  QueryConsumerOffsetRequestHeader,
  SearchOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/offset-headers';
import { PullMessageRequestHeader } from '../../../src/protocol/headers/pull-headers';
import {
  QueryMessageRequestHeader,
  ViewMessageRequestHeader,
} from '../../../src/protocol/headers/query-headers';
import {
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
} from '../../../src/protocol/headers/send-headers';
import { encodeBatchMessageBody } from '../../../src/protocol/bodies/batch-message-body';
import { encodeFrame } from '../../../src/protocol/remoting/frame-encoder';
import {
  DEFAULT_MAX_FRAME_LENGTH_BYTES,
  MAX_HEADER_LENGTH_BYTES,
} from '../../../src/protocol/remoting/frame-layout';
import { jsonHeaderText } from '../../../src/protocol/remoting/json-header';
import { LanguageCode, type LanguageName } from '../../../src/protocol/remoting/language-code';
import {
  isOneway,
  isResponse,
  RemotingFlag,
  type RemotingCommand,
} from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { encodeRocketMqHeader } from '../../../src/protocol/remoting/rocketmq-header';
import type { SerializeTypeName } from '../../../src/protocol/remoting/serialize-type';

/** Fixed, so that a failure reproduces with the same inputs. */
export const FUZZ_SEED = 20_240_613;

export interface FuzzNames {
  /** Valid topic names the fuzz may create, update, delete and send to. */
  readonly topics: readonly string[];
  /** Valid consumer/producer group names the fuzz may use. */
  readonly groups: readonly string[];
}

/** A well-framed request; its opaque is assigned when it is sent. */
export interface FuzzRequest {
  readonly label: string;
  readonly command: RemotingCommand;
}

/** Bytes written after the batch, then the client closes its side. */
export interface FuzzTail {
  readonly label: string;
  readonly bytes: Buffer;
}

export interface SocketPlan {
  /** The VIP listener (listenPort - 2) shares the processors minus PULL_MESSAGE. */
  readonly vip: boolean;
  readonly requests: readonly FuzzRequest[];
  readonly tail: FuzzTail;
}

/** How many hostile inputs a plan holds: each request, plus the tail unless it is empty. */
export function inputsOf(plan: SocketPlan): number {
  return plan.requests.length + (plan.tail.bytes.length > 0 ? 1 : 0);
}

/**
 * Whether the broker must answer `command` promptly: not oneway, not flagged as a response (the
 * broker takes it for one and answers nothing), and not a pull (a valid one may be held).
 */
export function mustBeAnswered(command: RemotingCommand): boolean {
  return !isOneway(command) && !isResponse(command) && command.code !== RequestCode.PULL_MESSAGE;
}

/** A frame with the given header bytes and serialize-type byte, lengths consistent. */
export function rawFrame(typeByte: number, header: Buffer, body: Buffer = Buffer.alloc(0)): Buffer {
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + header.length + body.length, 0);
  prefix.writeUInt32BE(((typeByte << 24) | header.length) >>> 0, 4);
  return Buffer.concat([prefix, header, body]);
}

// ---------------------------------------------------------------- values of ext fields

const INT_EDGES = [0, 1, 2, 3, 7, -1, -2, 1_000_000_000, 0x7fffffff, -0x80000000];
const LONG_EDGES = [0, 1, -1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 1_700_000_000_000];

/** Texts that are not what a numeric or boolean field accepts (or barely are). */
const wrongTypedText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'abc',
    '1.5',
    '1e9',
    ' 1',
    '0x1F',
    '+',
    '-',
    'NaN',
    'Infinity',
    'true',
    'null',
    '\u0000',
    '１２',
    '9007199254740993',
    '18446744073709551616',
    '99999999999999999999999999999999',
    '2147483648',
    '-2147483649',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.nat({ max: 400 }).map((n) => '9'.repeat(n + 1)),
);

function nameArb(pool: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...pool) },
    // Never a valid name (a space is illegal), so it reaches validation without creating anything.
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }).map((s) => ` ${s}`) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '%RETRY%', '%DLQ%x', 'a'.repeat(300), 'ü/..\\') },
  );
}

const tagExpression = fc.oneof(
  fc.constantFrom('*', '', 'a', 'a || b', '||', ' || ', '* || a', 'a||b||', '\u0000'),
  fc.string({ maxLength: 30 }),
);

const propertiesText = fc.oneof(
  fc.constantFrom(
    '',
    'TAGS\u0001a\u0002',
    'KEYS\u0001k1 k2\u0002',
    'DELAY\u00013\u0002',
    'TRAN_MSG\u0001true\u0002',
    'UNIQ_KEY\u0001\u0002',
    '\u0001\u0002\u0001\u0002',
    'WAIT\u0001false\u0002',
    'TAGS',
    '\u0002\u0002',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${k}\u0001${v}\u0002`).join('')),
  // Over the 32 KiB properties limit.
  fc.constant(`KEYS\u0001${'k'.repeat(40_000)}\u0002`),
);

/** A value the field's Java type accepts, chosen to hit edges (negative queue ids, 2^53 - 1...). */
function validValue(property: string, kind: string, names: FuzzNames): fc.Arbitrary<string> {
  if (property === 'topic' || property === 'defaultTopic') {
    return property === 'defaultTopic'
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constant('TBW102') },
          { weight: 1, arbitrary: nameArb(names.topics) },
        )
      : nameArb(names.topics);
  }
  if (property.endsWith('Group')) return nameArb(names.groups);
  if (property === 'subscription') return tagExpression;
  if (property === 'properties') return propertiesText;
  if (property === 'expressionType') return fc.constantFrom('TAG', 'SQL92', 'tag', '', 'XPATH');
  if (property === 'topicFilterType') return fc.constantFrom('SINGLE_TAG', 'MULTI_TAG', 'single_tag', '');
  if (property === 'key') return fc.oneof(fc.constantFrom('k1', 'k2', ''), fc.string({ maxLength: 8 }));
  // Values a real client sends, so that requests get past validation into the deeper paths
  // (held pulls, committed offsets, created topics) as often as they are refused.
  const plausible = PLAUSIBLE[property];
  if (plausible !== undefined) {
    return fc
      .oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: edgeValue(kind) })
      .map(String);
  }
  return edgeValue(kind).map(String);
}

/** What a real client would send: gets requests past validation into the deeper paths. */
function plausibleValue(property: string, kind: string, names: FuzzNames): fc.Arbitrary<string> {
  if (property === 'topic') return fc.constantFrom(...names.topics);
  if (property === 'defaultTopic') return fc.constant('TBW102');
  if (property.endsWith('Group')) return fc.constantFrom(...names.groups);
  if (property === 'subscription') return fc.constantFrom('*', 'a || b');
  if (property === 'expressionType') return fc.constant('TAG');
  if (property === 'topicFilterType') return fc.constant('SINGLE_TAG');
  if (property === 'properties') return fc.constantFrom('', 'TAGS\u0001a\u0002', 'KEYS\u0001k1\u0002');
  if (property === 'key') return fc.constantFrom('k1', 'k2');
  const plausible = PLAUSIBLE[property];
  return plausible === undefined ? validValue(property, kind, names) : plausible.map(String);
}

const small = (max: number) => fc.integer({ min: 0, max });

const PLAUSIBLE: Readonly<Record<string, fc.Arbitrary<number | string>>> = {
  queueId: fc.oneof(small(3), fc.constant(-1)),
  // 0 on an empty queue, or a queue's end: a pull there with SUSPEND is held.
  queueOffset: fc.oneof(fc.constant(0), small(20)),
  commitOffset: small(20),
  maxMsgNums: fc.constantFrom(0, -1, 1, 32, 0x7fffffff),
  sysFlag: fc.oneof(fc.constantFrom(6, 7), fc.constantFrom(0, 1, 2, 3, 4, 5, 0x16)),
  suspendTimeoutMillis: fc.constantFrom(0, 1, 50, 15_000, 0x7fffffff + 1, Number.MAX_SAFE_INTEGER),
  subVersion: fc.constantFrom(0, 1, 1_700_000_000_000),
  readQueueNums: small(16),
  writeQueueNums: small(16),
  perm: small(15),
  defaultTopicQueueNums: small(8),
  maxNum: fc.constantFrom(0, 1, 32, 64, 0x7fffffff),
  beginTimestamp: fc.constantFrom(0, 1_700_000_000_000),
  endTimestamp: fc.constantFrom(0, 4_000_000_000_000, Number.MAX_SAFE_INTEGER),
  timestamp: fc.constantFrom(0, 1_700_000_000_000, Number.MAX_SAFE_INTEGER),
  // Commit-log offsets: record starts and the middles of records alike.
  offset: fc.oneof(small(300_000), fc.constant(Number.MAX_SAFE_INTEGER)),
};

function edgeValue(kind: string): fc.Arbitrary<string> {
  switch (kind) {
    case 'int':
      return fc
        .oneof(
          fc.constantFrom(...INT_EDGES),
          fc.integer({ min: -0x80000000, max: 0x7fffffff }),
          fc.integer({ min: -3, max: 40 }),
        )
        .map(String);
    case 'long':
      return fc
        .oneof(fc.constantFrom(...LONG_EDGES), fc.maxSafeInteger(), fc.integer({ min: -3, max: 200 }))
        .map(String);
    case 'boolean':
      return fc.constantFrom('true', 'false', 'TRUE', 'False');
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map(String);
    default:
      return fc.string({ maxLength: 16 });
  }
}

type FieldMode = 'plausible' | 'valid' | 'missing' | 'wrong';

function extFieldsArb(
  codec: HeaderCodec<HeaderSchema>,
  names: FuzzNames,
  defaultMode: fc.Arbitrary<FieldMode>,
): fc.Arbitrary<Map<string, string>> {
  const fields = Object.entries(codec.schema).map(([property, spec]) =>
    fc
      .tuple(
        defaultMode,
        plausibleValue(property, spec.kind, names),
        validValue(property, spec.kind, names),
        wrongTypedText,
      )
      .map(([mode, plausible, valid, wrong]): [string, string | undefined] => [
        spec.wireName ?? property,
        { plausible, valid, wrong, missing: undefined }[mode],
      ]),
  );
  const junk = fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), {
    maxLength: 3,
  });
  return fc.tuple(fc.tuple(...fields), junk).map(([entries, extra]) => {
    const map = new Map<string, string>();
    for (const [key, value] of [...extra, ...entries]) if (value !== undefined) map.set(key, value);
    return map;
  });
}

/** Plausible headers, plausible ones with one field off, valid ones at the edges, and chaos. */
function headerArb(codec: HeaderCodec<HeaderSchema>, names: FuzzNames): fc.Arbitrary<Map<string, string>> {
  const property = Object.keys(codec.schema);
  const plausible = extFieldsArb(codec, names, fc.constant<FieldMode>('plausible'));
  const allValid = extFieldsArb(codec, names, fc.constant<FieldMode>('valid'));
  const oneOff = fc
    .tuple(plausible, fc.nat({ max: property.length - 1 }), fc.boolean(), wrongTypedText)
    .map(([fields, index, drop, wrong]) => {
      const spec = codec.schema[property[index] ?? ''];
      const wire = spec?.wireName ?? property[index] ?? '';
      if (drop) fields.delete(wire);
      else fields.set(wire, wrong);
      return fields;
    });
  const chaos = extFieldsArb(codec, names, fc.constantFrom<FieldMode>('valid', 'valid', 'missing', 'wrong'));
  return fc.oneof(
    { weight: 4, arbitrary: plausible },
    { weight: 4, arbitrary: oneOff },
    { weight: 2, arbitrary: allValid },
    { weight: 2, arbitrary: chaos },
  );
}

// ---------------------------------------------------------------- bodies

const randomBytes = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));

/** Replaces the value at one path of a JSON tree (chosen by `pick`) with `replacement`. */
function replaceSomewhere(root: unknown, pick: number, replacement: unknown): unknown {
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        slots.push({ parent: node, key: index });
        walk(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        slots.push({ parent: record, key });
        walk(record[key]);
      }
    }
  };
  walk(root);
  const slot = slots[pick % Math.max(1, slots.length)];
  if (slot === undefined) return replacement;
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = replacement;
  else slot.parent[slot.key as string] = replacement;
  return root;
}

/** A JSON body: the valid shape, the valid shape with one value replaced, any JSON, or bytes. */
function jsonBodyArb(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  const text = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null');
  return fc.oneof(
    { weight: 2, arbitrary: valid.map(text) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.jsonValue({ maxDepth: 2 }))
        .map(([value, pick, replacement]) => text(replaceSomewhere(value, pick, replacement))),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(text) },
    { weight: 1, arbitrary: randomBytes(200) },
    {
      weight: 1,
      arbitrary: fc.nat({ max: 3000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`)),
    },
    { weight: 1, arbitrary: valid.chain((value) => truncatedText(JSON.stringify(value) ?? '')) },
  );
}

function truncatedText(text: string): fc.Arbitrary<Buffer> {
  return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => Buffer.from(text.slice(0, cut)));
}

function messageQueueArb(names: FuzzNames): fc.Arbitrary<unknown> {
  return fc.record({
    brokerName: fc.constantFrom('broker-a', 'other', ''),
    queueId: fc.constantFrom(...INT_EDGES),
    topic: nameArb(names.topics),
  });
}

function heartbeatArb(names: FuzzNames): fc.Arbitrary<unknown> {
  const subscription = fc.record({
    classFilterMode: fc.boolean(),
    codeSet: fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { maxLength: 3 }),
    expressionType: fc.constantFrom('TAG', 'SQL92'),
    subString: tagExpression,
    subVersion: fc.constantFrom(...LONG_EDGES),
    tagsSet: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
    topic: nameArb(names.topics),
  });
  const consumer = fc.record({
    consumeFromWhere: fc.constantFrom('CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'NOWHERE'),
    consumeType: fc.constantFrom('CONSUME_ACTIVELY', 'CONSUME_PASSIVELY'),
    groupName: nameArb(names.groups),
    messageModel: fc.constantFrom('CLUSTERING', 'BROADCASTING'),
    subscriptionDataSet: fc.array(subscription, { maxLength: 3 }),
    unitMode: fc.boolean(),
  });
  return fc.record({
    clientID: fc.string({ maxLength: 20 }),
    consumerDataSet: fc.array(consumer, { maxLength: 2 }),
    producerDataSet: fc.array(fc.record({ groupName: nameArb(names.groups) }), { maxLength: 2 }),
  });
}

function lockBodyArb(names: FuzzNames): fc.Arbitrary<unknown> {
  return fc.record({
    clientId: fc.string({ maxLength: 20 }),
    consumerGroup: nameArb(names.groups),
    mqSet: fc.array(messageQueueArb(names), { maxLength: 4 }),
  });
}

function batchBodyArb(): fc.Arbitrary<Buffer> {
  const entry = fc.record({
    flag: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    body: fc.uint8Array({ maxLength: 64 }),
    properties: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  });
  const valid = fc.array(entry, { maxLength: 5 }).map((entries) => {
    try {
      return encodeBatchMessageBody(
        entries.map((e) => ({ ...e, properties: new Map(Object.entries(e.properties)) })),
      );
    } catch {
      // Property names the encoder refuses (separators in them): an empty batch instead.
      return Buffer.alloc(0);
    }
  });
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.integer({ min: -0x80000000, max: 0x7fffffff }))
        .map(([body, at, int]) => {
          if (body.length < 4) return body;
          body.writeInt32BE(int, Math.min(at % body.length, body.length - 4));
          return body;
        }),
    },
    {
      weight: 2,
      arbitrary: valid.chain((body) => fc.nat({ max: body.length }).map((cut) => body.subarray(0, cut))),
    },
    { weight: 2, arbitrary: randomBytes(300) },
  );
}

const MESSAGE_TOO_LARGE_BYTES = 4 * 1024 * 1024 + 16;

function sendBodyArb(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 60, arbitrary: randomBytes(512) },
    { weight: 5, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 1, arbitrary: fc.constant(MESSAGE_TOO_LARGE_BYTES).map((n) => Buffer.alloc(n, 0x5a)) },
  );
}

// ---------------------------------------------------------------- requests

interface CodeShape {
  readonly code: number;
  readonly header?: HeaderCodec<HeaderSchema>;
  readonly body: (names: FuzzNames) => fc.Arbitrary<Buffer>;
}

const anyBody = (): fc.Arbitrary<Buffer> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(Buffer.alloc(0)) }, { weight: 1, arbitrary: randomBytes(64) });

const CODE_SHAPES: readonly CodeShape[] = [
  { code: RequestCode.SEND_MESSAGE, header: SendMessageRequestHeader, body: sendBodyArb },
  { code: RequestCode.SEND_MESSAGE_V2, header: SendMessageRequestHeaderV2, body: sendBodyArb },
  { code: RequestCode.SEND_BATCH_MESSAGE, header: SendMessageRequestHeaderV2, body: batchBodyArb },
  { code: RequestCode.PULL_MESSAGE, header: PullMessageRequestHeader, body: anyBody },
  { code: RequestCode.HEART_BEAT, body: (names) => jsonBodyArb(heartbeatArb(names)) },
  { code: RequestCode.UNREGISTER_CLIENT, header: UnregisterClientRequestHeader, body: anyBody },
  { code: RequestCode.UPDATE_CONSUMER_OFFSET, header: UpdateConsumerOffsetRequestHeader, body: anyBody },
  { code: RequestCode.QUERY_CONSUMER_OFFSET, header: QueryConsumerOffsetRequestHeader, body: anyBody },
  {
    code: RequestCode.GET_CONSUMER_LIST_BY_GROUP,
    header: GetConsumerListByGroupRequestHeader,
    body: anyBody,
  },
  { code: RequestCode.GET_MAX_OFFSET, header: GetMaxOffsetRequestHeader, body: anyBody },
  { code: RequestCode.GET_MIN_OFFSET, header: GetMinOffsetRequestHeader, body: anyBody },
  {
    code: RequestCode.GET_EARLIEST_MSG_STORETIME,
    header: GetEarliestMsgStoretimeRequestHeader,
    body: anyBody,
  },
  { code: RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, header: SearchOffsetRequestHeader, body: anyBody },
  { code: RequestCode.QUERY_MESSAGE, header: QueryMessageRequestHeader, body: anyBody },
  { code: RequestCode.VIEW_MESSAGE_BY_ID, header: ViewMessageRequestHeader, body: anyBody },
  { code: RequestCode.LOCK_BATCH_MQ, body: (names) => jsonBodyArb(lockBodyArb(names)) },
  { code: RequestCode.UNLOCK_BATCH_MQ, body: (names) => jsonBodyArb(lockBodyArb(names)) },
  { code: RequestCode.UPDATE_AND_CREATE_TOPIC, header: CreateTopicRequestHeader, body: anyBody },
  { code: RequestCode.DELETE_TOPIC_IN_BROKER, header: DeleteTopicRequestHeader, body: anyBody },
  { code: RequestCode.GET_ALL_TOPIC_CONFIG, body: anyBody },
  { code: RequestCode.GET_BROKER_RUNTIME_INFO, body: anyBody },
  { code: RequestCode.GET_TOPIC_STATS_INFO, header: GetTopicStatsInfoRequestHeader, body: anyBody },
  { code: RequestCode.GET_CONSUME_STATS, header: GetConsumeStatsRequestHeader, body: anyBody },
];

const languageNames = Object.keys(LanguageCode) as LanguageName[];

const flagArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.constant(RemotingFlag.ONEWAY) },
  { weight: 1, arbitrary: fc.constant(RemotingFlag.RESPONSE) },
  { weight: 1, arbitrary: fc.integer({ min: -0x80000000, max: 0x7fffffff }) },
);

function commandArb(
  code: fc.Arbitrary<number>,
  extFields: fc.Arbitrary<ReadonlyMap<string, string>>,
  body: fc.Arbitrary<Buffer>,
): fc.Arbitrary<RemotingCommand> {
  return fc.record({
    code,
    language: fc.constantFrom(...languageNames),
    version: fc.oneof(fc.constant(409), fc.integer({ min: -0x8000, max: 0x7fff })),
    opaque: fc.constant(0),
    flag: flagArb,
    remark: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    extFields,
    body,
    serializeType: fc.constantFrom<SerializeTypeName>('JSON', 'ROCKETMQ'),
  });
}

export function requestArb(names: FuzzNames): fc.Arbitrary<FuzzRequest> {
  const known = CODE_SHAPES.map((shape) =>
    commandArb(
      fc.constant(shape.code),
      shape.header === undefined
        ? fc
            .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })
            .map((record) => new Map(Object.entries(record)))
        : headerArb(shape.header, names),
      shape.body(names),
    ).map((command): FuzzRequest => ({ label: `code ${shape.code}`, command })),
  );
  const unknownCode = commandArb(
    fc.integer({ min: -0x8000, max: 0x7fff }).filter((code) => !CODE_SHAPES.some((s) => s.code === code)),
    fc.constant(new Map<string, string>()),
    randomBytes(32),
  ).map((command): FuzzRequest => ({ label: 'unknown code', command }));
  return fc.oneof({ weight: 20, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: unknownCode });
}

// ---------------------------------------------------------------- tails (framing breakers)

function int32Prefix(value: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(value, 0);
  return prefix;
}

const JSON_WRONG_TYPED_VALUES: readonly unknown[] = [
  'abc',
  '10',
  ' 10',
  1e30,
  99_999_999_999,
  1.5,
  -0.0,
  true,
  null,
  [],
  {},
  [1, 2],
  { nested: { deeper: 1 } },
];

function badJsonHeaderArb(names: FuzzNames): fc.Arbitrary<Buffer> {
  const base = requestArb(names).map(
    (request) => JSON.parse(jsonHeaderText(request.command)) as Record<string, unknown>,
  );
  const wrongTyped = fc
    .tuple(
      base,
      fc.constantFrom('code', 'opaque', 'flag', 'version', 'language', 'remark', 'extFields'),
      fc.oneof(fc.constantFrom(...JSON_WRONG_TYPED_VALUES), fc.jsonValue({ maxDepth: 2 })),
    )
    .map(([header, key, value]) => Buffer.from(JSON.stringify({ ...header, [key]: value })));
  const withoutKey = fc.tuple(base, fc.constantFrom('code', 'opaque', 'extFields')).map(([header, key]) => {
    const copy = { ...header };
    delete copy[key];
    return Buffer.from(JSON.stringify(copy));
  });
  const extValueWrong = fc
    .tuple(base, fc.string({ maxLength: 4 }), fc.constantFrom<unknown>([1], { a: 1 }, [], {}))
    .map(([header, key, value]) =>
      Buffer.from(
        JSON.stringify({ ...header, extFields: { ...(header['extFields'] as object), [key]: value } }),
      ),
    );
  const header = fc.oneof(
    wrongTyped,
    withoutKey,
    extValueWrong,
    base.chain((h) => truncatedText(JSON.stringify(h))),
    fc.string({ maxLength: 80 }).map((s) => Buffer.from(s)),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc.nat({ max: 5000 }).map((n) => Buffer.from(`{"code":${'['.repeat(n)}`)),
    randomBytes(80),
  );
  return fc.tuple(header, randomBytes(16)).map(([bytes, body]) => rawFrame(0, bytes, body));
}

function badRocketMqHeaderArb(names: FuzzNames): fc.Arbitrary<Buffer> {
  const header = requestArb(names).map((request) => encodeRocketMqHeader(request.command));
  const bigOrNegative = fc.oneof(
    fc.integer({ min: -0x80000000, max: -1 }),
    fc.integer({ min: 1, max: 0x7fffffff }),
    fc.integer({ min: 1, max: 64 }),
  );
  // Offsets of the length words: remark length at 13, ext length right after the remark.
  const patched = fc.tuple(header, fc.nat({ max: 3 }), bigOrNegative).map(([bytes, which, value]) => {
    const remarkLength = bytes.readInt32BE(13);
    const extAt = 17 + remarkLength;
    const firstKeyAt = extAt + 4;
    if (which === 0) bytes.writeInt32BE(value, 13);
    else if (which === 1) bytes.writeInt32BE(value, extAt);
    else if (which === 2 && bytes.length >= firstKeyAt + 2) {
      bytes.writeInt16BE(Math.max(-0x8000, Math.min(0x7fff, value)), firstKeyAt);
    } else if (bytes.length >= firstKeyAt + 2) {
      const keyLength = bytes.readInt16BE(firstKeyAt);
      const valueAt = firstKeyAt + 2 + keyLength;
      if (bytes.length >= valueAt + 4) bytes.writeInt32BE(value, valueAt);
      else bytes.writeInt32BE(value, 13);
    } else bytes.writeInt32BE(value, 13);
    return bytes;
  });
  const cut = header.chain((bytes) => fc.nat({ max: bytes.length - 1 }).map((at) => bytes.subarray(0, at)));
  return fc.tuple(fc.oneof(patched, cut), randomBytes(16)).map(([bytes, body]) => rawFrame(1, bytes, body));
}

export function tailArb(names: FuzzNames): fc.Arbitrary<FuzzTail> {
  const tail = (label: string, bytes: fc.Arbitrary<Buffer>) =>
    bytes.map((b): FuzzTail => ({ label, bytes: b }));
  const truncated = requestArb(names).chain((request) => {
    const frame = encodeFrame({ ...request.command, opaque: 0 });
    return fc.nat({ max: frame.length - 2 }).map((cut) => frame.subarray(0, cut + 1));
  });
  const oversized = fc
    .tuple(fc.integer({ min: DEFAULT_MAX_FRAME_LENGTH_BYTES - 3, max: 0x7fffffff }), randomBytes(64))
    .map(([length, rest]) => Buffer.concat([int32Prefix(length), rest]));
  const tooShort = fc
    .tuple(fc.integer({ min: -0x80000000, max: 3 }), randomBytes(16))
    .map(([length, rest]) => Buffer.concat([int32Prefix(length), rest]));
  const headerPastFrame = fc
    .tuple(fc.integer({ min: 4, max: 300 }), fc.nat(), fc.constantFrom(0, 1))
    .chain(([contentLength, pick, type]) => {
      const headerLength = contentLength - 3 + (pick % (MAX_HEADER_LENGTH_BYTES - contentLength + 4));
      return randomBytes(contentLength - 4).map((rest) => {
        const prefix = Buffer.alloc(8);
        prefix.writeInt32BE(4 + rest.length, 0);
        prefix.writeUInt32BE(((type << 24) | headerLength) >>> 0, 4);
        return Buffer.concat([prefix, rest]);
      });
    });
  const unknownType = fc
    .tuple(requestArb(names), fc.integer({ min: 2, max: 255 }))
    .map(([request, type]) =>
      rawFrame(type, Buffer.from(jsonHeaderText(request.command)), request.command.body.subarray(0, 64)),
    );
  return fc.oneof(
    { weight: 3, arbitrary: tail('none', fc.constant(Buffer.alloc(0))) },
    {
      weight: 4,
      arbitrary: tail(
        'random bytes',
        fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => Buffer.from(b)),
      ),
    },
    { weight: 4, arbitrary: tail('truncated frame', truncated) },
    { weight: 2, arbitrary: tail('frame over 16 MiB', oversized) },
    { weight: 1, arbitrary: tail('frame length under 4', tooShort) },
    { weight: 2, arbitrary: tail('header length past frame', headerPastFrame) },
    { weight: 2, arbitrary: tail('unknown serialize type', unknownType) },
    { weight: 4, arbitrary: tail('bad JSON header', badJsonHeaderArb(names)) },
    { weight: 4, arbitrary: tail('bad ROCKETMQ header', badRocketMqHeaderArb(names)) },
  );
}

export function socketPlanArb(names: FuzzNames): fc.Arbitrary<SocketPlan> {
  return fc.record({
    // One connection in four goes to the VIP listener.
    vip: fc.nat({ max: 3 }).map((n) => n === 0),
    requests: fc.oneof(
      { weight: 3, arbitrary: fc.array(requestArb(names), { minLength: 1, maxLength: 40, size: 'max' }) },
      // A connection that breaks its framing straight away.
      { weight: 1, arbitrary: fc.constant([]) },
    ),
    tail: tailArb(names),
  });
}
