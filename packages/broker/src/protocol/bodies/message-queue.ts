// MessageQueue ([C]message/MessageQueue.java): one queue of a topic on one broker group. It appears
// in lock bodies as a list item and in admin bodies as a map *key* (fastjson writes the bean there).

import type { BodyValue } from './body-value';

export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

export function readMessageQueue(value: BodyValue): MessageQueue {
  return {
    topic: value.required('topic').string(),
    brokerName: value.required('brokerName').string(),
    queueId: value.required('queueId').int(),
  };
}

/** As fastjson writes it (fields in name order, by the writer). */
export function messageQueueJson(queue: MessageQueue): {
  brokerName: string;
  queueId: number;
  topic: string;
} {
  return { brokerName: queue.brokerName, queueId: queue.queueId, topic: queue.topic };
}
