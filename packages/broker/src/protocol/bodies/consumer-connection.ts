// ConsumerConnection: the body of GET_CONSUMER_CONNECTION_LIST (203)'s answer (fact sheet §2.12),
// the online members of a consumer group with their addresses, and what the group subscribes:
//
//   {"connectionSet":[{"clientAddr":"10.0.0.9:53412","clientId":"10.0.0.9@12345#987654321",
//     "language":"JAVA","version":397}],
//    "consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",
//    "messageModel":"CLUSTERING",
//    "subscriptionTable":{"T1":{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG",
//      "subString":"TagA","subVersion":1690000000000,"tagsSet":["TagA"],"topic":"T1"}}}

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { languageFromName, type LanguageName } from '../remoting/language-code';
import { listField, mapField, parseBody, type BodyValue } from './body-value';
import {
  CONSUME_FROM_WHERE,
  CONSUME_TYPES,
  MESSAGE_MODELS,
  type ConsumeFromWhere,
  type ConsumeType,
  type MessageModel,
  type SubscriptionData,
} from './heartbeat-data';

export interface ClientConnection {
  readonly clientId: string;
  /** `ip:port` of the member's connection to the broker. */
  readonly clientAddr: string;
  readonly language: LanguageName;
  /** The client's MQVersion ordinal. */
  readonly version: number;
}

export interface ConsumerConnectionBody {
  readonly connectionSet: readonly ClientConnection[];
  /** By topic. */
  readonly subscriptionTable: ReadonlyMap<string, SubscriptionData>;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
}

export function encodeConsumerConnection(body: ConsumerConnectionBody): Buffer {
  return writeFastjsonBytes({
    connectionSet: body.connectionSet.map((connection) => ({ ...connection })),
    consumeFromWhere: body.consumeFromWhere,
    consumeType: body.consumeType,
    messageModel: body.messageModel,
    subscriptionTable: new Map(
      [...body.subscriptionTable].map(([topic, sub]) => [
        topic,
        {
          classFilterMode: sub.classFilterMode,
          codeSet: sub.codeSet,
          expressionType: sub.expressionType,
          subString: sub.subString,
          subVersion: sub.subVersion,
          tagsSet: sub.tagsSet,
          topic: sub.topic,
        },
      ]),
    ),
  });
}

export function decodeConsumerConnection(bytes: Uint8Array): ConsumerConnectionBody {
  const root = parseBody('ConsumerConnection', bytes);
  return {
    connectionSet: listField(root, 'connectionSet', readConnection),
    subscriptionTable: mapField(root, 'subscriptionTable', readSubscription),
    consumeType: root.required('consumeType').oneOf(CONSUME_TYPES),
    messageModel: root.required('messageModel').oneOf(MESSAGE_MODELS),
    consumeFromWhere: root.required('consumeFromWhere').oneOf(CONSUME_FROM_WHERE),
  };
}

function readConnection(item: BodyValue): ClientConnection {
  return {
    clientId: item.required('clientId').string(),
    clientAddr: item.required('clientAddr').string(),
    // Informational, like the header's language: an unknown name is OTHER rather than an error.
    language: languageFromName(item.field('language')?.string() ?? 'OTHER'),
    version: item.field('version')?.int() ?? 0,
  };
}

function readSubscription(value: BodyValue): SubscriptionData {
  return {
    topic: value.required('topic').string(),
    subString: value.required('subString').string(),
    tagsSet: listField(value, 'tagsSet', (item) => item.string()),
    codeSet: listField(value, 'codeSet', (item) => item.int()),
    subVersion: value.field('subVersion')?.long() ?? 0,
    expressionType: value.field('expressionType')?.string() ?? 'TAG',
    classFilterMode: value.field('classFilterMode')?.boolean() ?? false,
  };
}
