// The small JSON bodies (fact sheet §2.2, §2.6):
//   TopicList        {"topicList":["t1","t2"]} (+ "brokerAddr" when set)  GET_ALL_TOPIC_LIST_FROM_NAMESERVER
//   KVTable          {"table":{"k":"v"}}          GET_KVLIST_BY_NAMESPACE, GET_BROKER_RUNTIME_INFO, REGISTER_BROKER response
//   ConsumerListBody {"consumerIdList":["id1"]}   GET_CONSUMER_LIST_BY_GROUP

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { listField, mapField, parseBody } from './body-value';

export interface TopicList {
  readonly topicList: readonly string[];
  readonly brokerAddr?: string | undefined;
}

export function encodeTopicList(list: TopicList): Buffer {
  return writeFastjsonBytes({ brokerAddr: list.brokerAddr, topicList: list.topicList });
}

export function decodeTopicList(bytes: Uint8Array): TopicList {
  const root = parseBody('TopicList', bytes);
  return {
    topicList: listField(root, 'topicList', (item) => item.string()),
    brokerAddr: root.field('brokerAddr')?.string(),
  };
}

export interface KVTable {
  readonly table: ReadonlyMap<string, string>;
}

export function encodeKVTable(table: KVTable): Buffer {
  return writeFastjsonBytes({ table: table.table });
}

export function decodeKVTable(bytes: Uint8Array): KVTable {
  return { table: mapField(parseBody('KVTable', bytes), 'table', (value) => value.string()) };
}

export interface ConsumerListBody {
  readonly consumerIdList: readonly string[];
}

export function encodeConsumerListBody(body: ConsumerListBody): Buffer {
  return writeFastjsonBytes({ consumerIdList: body.consumerIdList });
}

export function decodeConsumerListBody(bytes: Uint8Array): ConsumerListBody {
  const root = parseBody('ConsumerListBody', bytes);
  return { consumerIdList: listField(root, 'consumerIdList', (item) => item.string()) };
}
