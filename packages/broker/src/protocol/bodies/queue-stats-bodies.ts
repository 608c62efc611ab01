// Admin bodies keyed by MessageQueue (fact sheet §2.12, §11.1). fastjson writes a map whose key is
// a bean with the bean itself as the key, which is not JSON (apache/rocketmq#3389); Java admin
// tools and the dashboard read exactly that, so it is what these encoders write:
//
//   TopicStatsTable (GET_TOPIC_STATS_INFO)
//     {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":1700000000000,
//       "maxOffset":10,"minOffset":0}}}
//   ConsumeStats (GET_CONSUME_STATS)
//     {"consumeTps":0.5,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":10,
//       "consumerOffset":7,"lastTimestamp":1700000000000}}}
//
// The tables are lists of [queue, value] pairs: JS Maps compare object keys by identity.

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { BodyValue, parseBody } from './body-value';
import { messageQueueJson, readMessageQueue, type MessageQueue } from './message-queue';

export interface TopicOffset {
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Store time of the last message, ms (0 when the queue is empty). */
  readonly lastUpdateTimestamp: number;
}

export interface TopicStatsTable {
  readonly offsetTable: ReadonlyArray<readonly [MessageQueue, TopicOffset]>;
}

export interface OffsetWrapper {
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  /** Store time of the last consumed message, ms. */
  readonly lastTimestamp: number;
}

export interface ConsumeStats {
  readonly offsetTable: ReadonlyArray<readonly [MessageQueue, OffsetWrapper]>;
  readonly consumeTps: number;
}

function queueKeyedTable<V>(
  table: ReadonlyArray<readonly [MessageQueue, V]>,
  toJson: (value: V) => { readonly [field: string]: number },
) {
  return new Map(table.map(([queue, value]) => [messageQueueJson(queue), toJson(value)]));
}

function readQueueKeyedTable<V>(root: BodyValue, read: (value: BodyValue) => V): Array<[MessageQueue, V]> {
  const table = root.field('offsetTable');
  if (table === undefined) return [];
  return table.objectKeyedEntries().map(([key, value]) => [readMessageQueue(key), read(value)]);
}

export function encodeTopicStatsTable(stats: TopicStatsTable): Buffer {
  return writeFastjsonBytes({
    offsetTable: queueKeyedTable(stats.offsetTable, (offset) => ({
      lastUpdateTimestamp: offset.lastUpdateTimestamp,
      maxOffset: offset.maxOffset,
      minOffset: offset.minOffset,
    })),
  });
}

export function decodeTopicStatsTable(bytes: Uint8Array): TopicStatsTable {
  const root = parseBody('TopicStatsTable', bytes, { objectKeys: true });
  return {
    offsetTable: readQueueKeyedTable(root, (value) => ({
      minOffset: value.field('minOffset')?.long() ?? 0,
      maxOffset: value.field('maxOffset')?.long() ?? 0,
      lastUpdateTimestamp: value.field('lastUpdateTimestamp')?.long() ?? 0,
    })),
  };
}

export function encodeConsumeStats(stats: ConsumeStats): Buffer {
  return writeFastjsonBytes({
    consumeTps: stats.consumeTps,
    offsetTable: queueKeyedTable(stats.offsetTable, (offset) => ({
      brokerOffset: offset.brokerOffset,
      consumerOffset: offset.consumerOffset,
      lastTimestamp: offset.lastTimestamp,
    })),
  });
}

export function decodeConsumeStats(bytes: Uint8Array): ConsumeStats {
  const root = parseBody('ConsumeStats', bytes, { objectKeys: true });
  return {
    offsetTable: readQueueKeyedTable(root, (value) => ({
      brokerOffset: value.field('brokerOffset')?.long() ?? 0,
      consumerOffset: value.field('consumerOffset')?.long() ?? 0,
      lastTimestamp: value.field('lastTimestamp')?.long() ?? 0,
    })),
    consumeTps: root.field('consumeTps')?.double() ?? 0,
  };
}
