// The producer of @keel/broker/client (RocketMQ's DefaultMQProducer, fact sheet §8.2).
//
//   const producer = new Producer({ group: 'orders', nameServer: '127.0.0.1:9876' });
//   await producer.start();
//   const result = await producer.send({ topic: 'OrderEvents', body: '...', keys: orderId });
//
// Lifecycle: created → running (start) → shut down (shutdown); sends outside `running` throw
// IllegalStateError. Sends need no timer of their own: each request waits in its connection's
// response table, which one timer sweeps, so thousands may be in flight.
//
// A send without a chosen queue tries up to 1 + retryTimesWhenSendFailed times within
// sendTimeoutMs, each retry on another broker when there is one, after retriable failures only
// (connection problems, timeouts, RocketMQ's retryResponseCodes). A send to a chosen queue (queue,
// selector, shardingKey) is tried once: moving it would break the order it was chosen for.

import { IllegalStateError, isRetriable, TimeoutError } from '../../common/errors';
import { encodeSendMessageHeaderV2 } from '../../protocol/headers/send-headers';
import { UniqueMessageIdGenerator } from '../../protocol/message/message-id';
import { createRequest, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import { NoRouteError } from '../client-errors';
import type { ClientInstance } from '../client-instance';
import { acquireClientInstance, releaseClientInstance } from '../client-instance-registry';
import type { Message, MessageQueue } from '../message';
import { LatencyFaultTolerance } from './latency-fault-tolerance';
import { prepareBatch, prepareMessage, type OutgoingMessage, type SystemFields } from './outgoing-message';
import {
  resolveProducerOptions,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './producer-options';
import { PublishInfoCache } from './publish-info-cache';
import { selectByHash, type MessageQueueSelector } from './queue-selector';
import { toSendResult, type SendResult } from './send-result';

export interface SendOptions {
  /** Send to exactly this queue. */
  readonly queue?: MessageQueue;
  /** Pick the queue from the topic's write queues (ordered messages). */
  readonly selector?: MessageQueueSelector;
  /** Same as `selector: selectByHash(shardingKey)`: one key, one queue, send order kept. */
  readonly shardingKey?: string;
}

type ProducerState = 'created' | 'running' | 'shutdown';

interface Running {
  readonly instance: ClientInstance;
  readonly publishInfos: PublishInfoCache;
}

export class Producer {
  readonly options: ResolvedProducerOptions;
  readonly #faults: LatencyFaultTolerance;
  readonly #ids: UniqueMessageIdGenerator;
  #state: ProducerState = 'created';
  #running: Running | undefined;

  constructor(options: ProducerOptions) {
    this.options = resolveProducerOptions(options);
    this.#faults = new LatencyFaultTolerance(this.options.clock);
    this.#ids = new UniqueMessageIdGenerator({ clock: this.options.clock });
  }

  get state(): ProducerState {
    return this.#state;
  }

  /** The shared client instance; defined while running. */
  get clientInstance(): ClientInstance | undefined {
    return this.#running?.instance;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created')
      throw new IllegalStateError(`producer ${this.options.group} is ${this.#state}; start it once`);
    const instance = acquireClientInstance(this.options);
    this.attachToInstance(instance);
    instance.registerProducer(this.options.group);
    this.#running = { instance, publishInfos: new PublishInfoCache(instance, this.options) };
    this.#state = 'running';
    await instance.sendHeartbeatToAllBrokers();
  }

  /** Unregisters the group from the brokers and releases the shared client instance. */
  async shutdown(): Promise<void> {
    const running = this.#running;
    if (this.#state !== 'running' || running === undefined) {
      this.#state = 'shutdown';
      return;
    }
    this.#state = 'shutdown';
    this.#running = undefined;
    running.publishInfos.close();
    this.detachFromInstance(running.instance);
    await running.instance.unregisterProducer(this.options.group);
    await releaseClientInstance(running.instance);
  }

  /**
   * Called in start() before the first heartbeat names the group to the brokers: a subclass that
   * answers broker requests for the group (transaction checks) installs its handler here.
   */
  protected attachToInstance(_instance: ClientInstance): void {}

  /** Called in shutdown() before the group leaves the brokers; undoes attachToInstance. */
  protected detachFromInstance(_instance: ClientInstance): void {}

  async send(message: Message, options: SendOptions = {}): Promise<SendResult> {
    const running = this.#requireRunning();
    const outgoing = prepareMessage(message, this.options, this.#ids);
    return this.#dispatch(running, outgoing, message, options);
  }

  /** A send carrying properties and sysFlag bits of the client's own (the transactional producer's). */
  protected async sendWithSystemFields(
    message: Message,
    system: SystemFields,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const running = this.#requireRunning();
    const outgoing = prepareMessage(message, this.options, this.#ids, system);
    return this.#dispatch(running, outgoing, message, options);
  }

  /** Sends a batch of messages of one topic as one request; one result for the batch. */
  async sendBatch(messages: readonly Message[], options: SendOptions = {}): Promise<SendResult> {
    const running = this.#requireRunning();
    const outgoing = prepareBatch(messages, this.options, this.#ids);
    return this.#dispatch(running, outgoing, messages[0]!, options);
  }

  /** Fire and forget: resolves once the request is written; no result, no retry (RocketMQ's oneway). */
  async sendOneway(message: Message, options: SendOptions = {}): Promise<void> {
    const running = this.#requireRunning();
    const outgoing = prepareMessage(message, this.options, this.#ids);
    const info = await running.publishInfos.get(outgoing.topic);
    const queue = this.#chosenQueue(info.queues, message, options) ?? info.selectQueue();
    if (queue === undefined) throw new NoRouteError(outgoing.topic, 'no writable queue');
    const address = await this.#brokerAddress(running, queue);
    await running.instance.invokeOneway(address, this.#request(outgoing, queue));
  }

  async #dispatch(
    running: Running,
    outgoing: OutgoingMessage,
    message: Message,
    options: SendOptions,
  ): Promise<SendResult> {
    const deadline = this.options.clock.now() + this.options.sendTimeoutMs;
    const info = await running.publishInfos.get(outgoing.topic);
    const chosen = this.#chosenQueue(info.queues, message, options);
    if (chosen !== undefined) return this.#attempt(running, outgoing, chosen, deadline);
    const attempts = 1 + this.options.retryTimesWhenSendFailed;
    let lastError: unknown;
    let lastBroker: string | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.options.clock.now() >= deadline) {
        throw new TimeoutError(
          `send to ${outgoing.topic} (${attempt - 1} attempts)`,
          this.options.sendTimeoutMs,
          { cause: lastError },
        );
      }
      const queue = this.options.sendLatencyFaultEnable
        ? info.selectQueueAvoidingFaults(this.#faults, lastBroker)
        : info.selectQueue(lastBroker);
      if (queue === undefined) throw new NoRouteError(outgoing.topic, 'no writable queue');
      try {
        return await this.#attempt(running, outgoing, queue, deadline);
      } catch (error) {
        if (!isRetriable(error)) throw error;
        lastError = error;
        lastBroker = queue.brokerName;
        this.options.logger.debug('send attempt failed, retrying', {
          topic: outgoing.topic,
          broker: queue.brokerName,
          attempt,
          error: error instanceof Error ? error : String(error),
        });
      }
    }
    throw lastError;
  }

  /** One request to the queue's broker, timed for the fault tolerance. */
  async #attempt(
    running: Running,
    outgoing: OutgoingMessage,
    queue: MessageQueue,
    deadline: number,
  ): Promise<SendResult> {
    const clock = this.options.clock;
    const begin = clock.now();
    try {
      const address = await this.#brokerAddress(running, queue);
      const response: RemotingCommand = await running.instance.invoke(
        address,
        this.#request(outgoing, queue),
        Math.max(1, deadline - begin),
      );
      const result = toSendResult(response, address, queue, outgoing.msgId);
      this.#recordLatency(queue.brokerName, clock.now() - begin, false);
      return result;
    } catch (error) {
      // Only failures that say something about the broker count against it (RocketMQ isolates on
      // remoting errors and on retriable response codes, not on a message it refused).
      if (isRetriable(error)) this.#recordLatency(queue.brokerName, clock.now() - begin, true);
      throw error;
    }
  }

  #recordLatency(brokerName: string, latencyMs: number, failed: boolean): void {
    if (this.options.sendLatencyFaultEnable) this.#faults.record(brokerName, latencyMs, failed);
  }

  #chosenQueue(
    queues: readonly MessageQueue[],
    message: Message,
    options: SendOptions,
  ): MessageQueue | undefined {
    if (options.queue !== undefined) return options.queue;
    const selector =
      options.selector ?? (options.shardingKey === undefined ? undefined : selectByHash(options.shardingKey));
    if (selector === undefined) return undefined;
    if (queues.length === 0) throw new NoRouteError(message.topic, 'no writable queue to select from');
    return selector(queues, message);
  }

  async #brokerAddress(running: Running, queue: MessageQueue): Promise<string> {
    const known = running.instance.brokerAddress(queue.brokerName);
    if (known !== undefined) return known;
    await running.instance.topicRoute(queue.topic, { refresh: true });
    const address = running.instance.brokerAddress(queue.brokerName);
    if (address === undefined) {
      running.publishInfos.invalidate(queue.topic);
      throw new NoRouteError(queue.topic, `broker ${queue.brokerName} has no master in the routes`);
    }
    return address;
  }

  #request(outgoing: OutgoingMessage, queue: MessageQueue): RemotingCommand {
    const extFields = encodeSendMessageHeaderV2({
      producerGroup: this.options.group,
      topic: outgoing.topic,
      defaultTopic: this.options.createTopicKey,
      defaultTopicQueueNums: this.options.defaultTopicQueueNums,
      queueId: queue.queueId,
      sysFlag: outgoing.sysFlag,
      bornTimestamp: this.options.clock.now(),
      flag: 0,
      properties: outgoing.properties,
      reconsumeTimes: 0,
      unitMode: false,
      maxReconsumeTimes: undefined,
      batch: outgoing.batch,
      bname: queue.brokerName,
    });
    return createRequest({
      code: outgoing.batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2,
      opaque: 0,
      extFields,
      body: outgoing.body,
      serializeType: this.options.serializeType,
    });
  }

  #requireRunning(): Running {
    if (this.#state !== 'running' || this.#running === undefined) {
      throw new IllegalStateError(
        `producer ${this.options.group} is ${this.#state}; call start() before sending`,
      );
    }
    return this.#running;
  }
}
