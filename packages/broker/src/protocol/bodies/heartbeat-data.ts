// HeartbeatData: the body of HEART_BEAT (34) (fact sheet §2.6):
//
//   {"clientID":"10.0.0.9@12345#987654321",
//    "consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",
//      "groupName":"cg","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,
//      "codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1690000000000,
//      "tagsSet":["TagA"],"topic":"T1"}],"unitMode":false}],
//    "producerDataSet":[{"groupName":"pg"}]}
//
// Java sets become arrays. Enum fields must be one of the 4.x names: an unknown one means a client
// Keel does not understand, which is better refused than guessed.

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { BodyValue, listField, parseBody } from './body-value';

export const CONSUME_TYPES = ['CONSUME_ACTIVELY', 'CONSUME_PASSIVELY'] as const;
export type ConsumeType = (typeof CONSUME_TYPES)[number];

export const MESSAGE_MODELS = ['BROADCASTING', 'CLUSTERING'] as const;
export type MessageModel = (typeof MESSAGE_MODELS)[number];

export const CONSUME_FROM_WHERE = [
  'CONSUME_FROM_LAST_OFFSET',
  'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST',
  'CONSUME_FROM_MIN_OFFSET',
  'CONSUME_FROM_MAX_OFFSET',
  'CONSUME_FROM_FIRST_OFFSET',
  'CONSUME_FROM_TIMESTAMP',
] as const;
export type ConsumeFromWhere = (typeof CONSUME_FROM_WHERE)[number];

export interface SubscriptionData {
  readonly topic: string;
  /** The expression; "*" = every tag. */
  readonly subString: string;
  readonly tagsSet: readonly string[];
  /** Java String.hashCode() of each tag. */
  readonly codeSet: readonly number[];
  /** ms timestamp; a newer one replaces the broker's copy. */
  readonly subVersion: number;
  /** "TAG" or "SQL92"; old clients omit it, meaning TAG. */
  readonly expressionType: string;
  readonly classFilterMode: boolean;
  readonly filterClassSource?: string | undefined;
}

export interface ConsumerData {
  readonly groupName: string;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly subscriptionDataSet: readonly SubscriptionData[];
  readonly unitMode: boolean;
}

export interface ProducerData {
  readonly groupName: string;
}

export interface HeartbeatData {
  readonly clientID: string;
  readonly producerDataSet: readonly ProducerData[];
  readonly consumerDataSet: readonly ConsumerData[];
}

export function encodeHeartbeatData(data: HeartbeatData): Buffer {
  return writeFastjsonBytes({
    clientID: data.clientID,
    consumerDataSet: data.consumerDataSet.map((consumer) => ({
      consumeFromWhere: consumer.consumeFromWhere,
      consumeType: consumer.consumeType,
      groupName: consumer.groupName,
      messageModel: consumer.messageModel,
      subscriptionDataSet: consumer.subscriptionDataSet.map((sub) => ({
        classFilterMode: sub.classFilterMode,
        codeSet: sub.codeSet,
        expressionType: sub.expressionType,
        filterClassSource: sub.filterClassSource,
        subString: sub.subString,
        subVersion: sub.subVersion,
        tagsSet: sub.tagsSet,
        topic: sub.topic,
      })),
      unitMode: consumer.unitMode,
    })),
    producerDataSet: data.producerDataSet.map((producer) => ({ groupName: producer.groupName })),
  });
}

export function decodeHeartbeatData(bytes: Uint8Array): HeartbeatData {
  const root = parseBody('HeartbeatData', bytes);
  return {
    clientID: root.required('clientID').string(),
    producerDataSet: listField(root, 'producerDataSet', (item) => ({
      groupName: item.required('groupName').string(),
    })),
    consumerDataSet: listField(root, 'consumerDataSet', readConsumerData),
  };
}

function readConsumerData(value: BodyValue): ConsumerData {
  return {
    groupName: value.required('groupName').string(),
    consumeType: value.required('consumeType').oneOf(CONSUME_TYPES),
    messageModel: value.required('messageModel').oneOf(MESSAGE_MODELS),
    consumeFromWhere: value.required('consumeFromWhere').oneOf(CONSUME_FROM_WHERE),
    subscriptionDataSet: listField(value, 'subscriptionDataSet', readSubscriptionData),
    unitMode: value.field('unitMode')?.boolean() ?? false,
  };
}

function readSubscriptionData(value: BodyValue): SubscriptionData {
  return {
    topic: value.required('topic').string(),
    subString: value.required('subString').string(),
    tagsSet: listField(value, 'tagsSet', (item) => item.string()),
    codeSet: listField(value, 'codeSet', (item) => item.int()),
    subVersion: value.field('subVersion')?.long() ?? 0,
    expressionType: value.field('expressionType')?.string() ?? 'TAG',
    classFilterMode: value.field('classFilterMode')?.boolean() ?? false,
    filterClassSource: value.field('filterClassSource')?.string(),
  };
}
