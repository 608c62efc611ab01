// A minimal long-polling consumer over a ClientInstance, for the latency run while Keel's push
// consumer is not exported: one loop per queue of the topic, each keeping one PULL_MESSAGE with
// SUSPEND outstanding, so the broker answers as soon as a message arrives (as the push consumer's
// pull service would). No offsets are committed, no rebalance: one consumer owns every queue.
import { decodeMessages, type ClientInstance } from '@keel/broker/client';
import {
  createRequest,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
  RequestCode,
  ResponseCode,
} from '@keel/broker/internal';
import { BenchError, BenchErrorCode } from '../bench-errors';
import type { BodyListener } from './peer-target';

const CONSUMER_GROUP = 'bench-client-consumer';
const PULL_BATCH = 32;
/** RocketMQ's push consumer holds pulls 15 s on the broker and waits 30 s for the answer. */
const SUSPEND_MS = 15_000;
const PULL_TIMEOUT_MS = 30_000;
const ROUTE_WAIT_MS = 10_000;
const ROUTE_RETRY_MS = 50;

export interface PullLoopOptions {
  readonly instance: ClientInstance;
  readonly topic: string;
  readonly onBody: BodyListener;
  /** A loop failed while running; it has stopped. */
  readonly onError: (error: unknown) => void;
}

interface QueueRef {
  readonly brokerAddress: string;
  readonly queueId: number;
}

export class KeelPullLoop {
  readonly #options: PullLoopOptions;
  #stopping = false;

  private constructor(options: PullLoopOptions) {
    this.#options = options;
  }

  /** Waits for the topic's route, then starts pulling every queue from offset 0. */
  static async start(options: PullLoopOptions): Promise<KeelPullLoop> {
    const queues = await readableQueues(options.instance, options.topic);
    const loop = new KeelPullLoop(options);
    for (const queue of queues) {
      loop.#pullForever(queue).catch((error: unknown) => {
        // After stop() the client's connections close under the held pulls: their failure is expected.
        if (!loop.#stopping) options.onError(error);
      });
    }
    return loop;
  }

  /** Stops issuing pulls; the caller then closes the client, which ends the pulls the broker holds. */
  stop(): void {
    this.#stopping = true;
  }

  async #pullForever(queue: QueueRef): Promise<void> {
    let offset = 0;
    while (!this.#stopping) {
      const response = await this.#options.instance.invoke(
        queue.brokerAddress,
        this.#pullRequest(queue.queueId, offset),
        PULL_TIMEOUT_MS,
      );
      if (response.code === ResponseCode.PULL_RETRY_IMMEDIATELY) continue;
      if (
        response.code !== ResponseCode.SUCCESS &&
        response.code !== ResponseCode.PULL_NOT_FOUND &&
        response.code !== ResponseCode.PULL_OFFSET_MOVED
      ) {
        throw new BenchError(
          BenchErrorCode.CONSUME_FAILED,
          `pull of queue ${queue.queueId} answered ${response.code} (${response.remark ?? 'no remark'})`,
        );
      }
      offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
      if (response.code === ResponseCode.SUCCESS) {
        for (const message of decodeMessages(response.body)) this.#options.onBody(message.body);
      }
    }
  }

  #pullRequest(queueId: number, queueOffset: number) {
    return createRequest({
      code: RequestCode.PULL_MESSAGE,
      opaque: 0,
      extFields: PullMessageRequestHeader.encode({
        consumerGroup: CONSUMER_GROUP,
        topic: this.#options.topic,
        queueId,
        queueOffset,
        maxMsgNums: PULL_BATCH,
        sysFlag: PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION,
        commitOffset: 0,
        suspendTimeoutMillis: SUSPEND_MS,
        subscription: '*',
        subVersion: 0,
        expressionType: 'TAG',
        bname: undefined,
      }),
    });
  }
}

/** The topic's queues with their broker addresses; waits while the name server does not know it. */
async function readableQueues(instance: ClientInstance, topic: string): Promise<QueueRef[]> {
  const deadline = performance.now() + ROUTE_WAIT_MS;
  for (;;) {
    const route = await instance.topicRoute(topic, { refresh: true });
    const queues = (route?.queueDatas ?? []).flatMap((data) => {
      const brokerAddress = instance.brokerAddress(data.brokerName);
      if (brokerAddress === undefined) return [];
      return Array.from({ length: data.readQueueNums }, (_, queueId) => ({ brokerAddress, queueId }));
    });
    if (queues.length > 0) return queues;
    if (performance.now() > deadline)
      throw new BenchError(
        BenchErrorCode.SETUP_FAILED,
        `topic ${topic} has no route after ${ROUTE_WAIT_MS} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, ROUTE_RETRY_MS));
  }
}
