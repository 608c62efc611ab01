// The requests of the broker benchmark, built as a RocketMQ 4.x Java client builds them: a
// SEND_MESSAGE_V2 with one-letter header names and the properties a DefaultMQProducer adds (UNIQ_KEY,
// WAIT, TAGS), and a PULL_MESSAGE carrying its subscription. Pure builders: the micro-costs decode
// exactly what the end-to-end run sends.
import {
  createRequest,
  encodeSendMessageHeaderV2,
  messagePropertiesToString,
  PullMessageRequestHeader,
  PullSysFlag,
  RequestCode,
} from '@keel/broker/internal';
import type { RemotingCommand, SerializeTypeName } from '@keel/broker/internal';

export const BENCH_BODY = Buffer.alloc(1024, 'k');
export const BENCH_PRODUCER_GROUP = 'bench-producer';
export const BENCH_CONSUMER_GROUP = 'bench-consumer';
/** Queues of a topic auto-created by a send (the Java producer's defaultTopicQueueNums). */
export const BENCH_TOPIC_QUEUES = 4;

export interface BenchSend {
  readonly topic: string;
  readonly queueId: number;
  /** Makes the UNIQ_KEY property unique, as the Java client's message-id generator does. */
  readonly sequence: number;
  readonly serializeType?: SerializeTypeName;
}

/** The 32-hex-digit client message id the Java producer puts in UNIQ_KEY. */
export function uniqueKeyOf(sequence: number): string {
  return `7F000001000018B4AAC2${(sequence >>> 0).toString(16).toUpperCase().padStart(12, '0')}`;
}

export function sendRequest(send: BenchSend): RemotingCommand {
  const properties = new Map([
    ['UNIQ_KEY', uniqueKeyOf(send.sequence)],
    ['WAIT', 'true'],
    ['TAGS', 'TagA'],
  ]);
  return createRequest({
    code: RequestCode.SEND_MESSAGE_V2,
    opaque: 0,
    extFields: encodeSendMessageHeaderV2({
      producerGroup: BENCH_PRODUCER_GROUP,
      topic: send.topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: BENCH_TOPIC_QUEUES,
      queueId: send.queueId,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      flag: 0,
      properties: messagePropertiesToString(properties),
      reconsumeTimes: 0,
      unitMode: false,
      maxReconsumeTimes: undefined,
      batch: false,
      bname: undefined,
    }),
    body: BENCH_BODY,
    serializeType: send.serializeType ?? 'JSON',
  });
}

export interface BenchPull {
  readonly topic: string;
  readonly queueId: number;
  readonly offset: number;
  readonly maxMessages: number;
}

/** A pull that is answered at once (no long-poll suspension) and commits no offset. */
export function pullRequest(pull: BenchPull): RemotingCommand {
  return createRequest({
    code: RequestCode.PULL_MESSAGE,
    opaque: 0,
    extFields: PullMessageRequestHeader.encode({
      consumerGroup: BENCH_CONSUMER_GROUP,
      topic: pull.topic,
      queueId: pull.queueId,
      queueOffset: pull.offset,
      maxMsgNums: pull.maxMessages,
      sysFlag: PullSysFlag.SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
      expressionType: 'TAG',
      bname: undefined,
    }),
  });
}
