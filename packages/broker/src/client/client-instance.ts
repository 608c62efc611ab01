// What every producer and consumer of one client id shares, like RocketMQ's MQClientInstance: one
// RemotingClient (one connection per broker or name server), the route cache, heartbeats and the
// handling of requests brokers send to clients.
//
// Schedules (fact sheet §8.1): routes of topics in use are re-read every pollNameServerIntervalMs,
// heartbeats go to every broker of those routes every heartbeatBrokerIntervalMs. Both run on the
// injected clock; a failure is logged with its context and counted, and the next round tries again.

import type { TimerHandle } from '../common/clock';
import { isRetriable } from '../common/errors';
import { TypedEmitter } from '../common/typed-emitter';
import { encodeHeartbeatData } from '../protocol/bodies/heartbeat-data';
import { decodeTopicRouteData, type TopicRouteData } from '../protocol/bodies/topic-route-data';
import {
  NotifyConsumerIdsChangedRequestHeader,
  UnregisterClientRequestHeader,
} from '../protocol/headers/client-headers';
import { GetRouteInfoRequestHeader } from '../protocol/headers/namesrv-headers';
import {
  createRequest,
  createResponse,
  isOneway,
  type RemotingCommand,
} from '../protocol/remoting/remoting-command';
import { RequestCode } from '../protocol/remoting/request-code';
import { ResponseCode } from '../protocol/remoting/response-code';
import { RemotingClient } from '../transport/remoting-client';
import type { RemotingConnection } from '../transport/remoting-connection';
import { BrokerResponseError } from './client-errors';
import { buildClientId } from './client-id';
import type { ResolvedClientOptions } from './client-options';
import { ClientRegistrations, type ConsumerDataProvider } from './client-registrations';
import { NameServerSelector } from './name-server-selector';
import {
  brokerAddressesOf,
  findBrokerAddress,
  findMasterAddress,
  routeFingerprint,
  type FoundBroker,
} from './route-snapshot';

export interface ClientInstanceEvents {
  /** A topic's route was first learned, changed, or disappeared (route undefined). */
  routeChanged: { readonly topic: string; readonly route: TopicRouteData | undefined };
  /** A broker says the member list of a consumer group changed: rebalance now. */
  consumerIdsChanged: { readonly group: string; readonly brokerAddress: string };
  /** A scheduled task failed; it runs again at its next turn. */
  backgroundError: { readonly task: string; readonly error: unknown };
}

/** Answers a broker's request; return undefined for oneway requests. */
export type BrokerRequestHandler = (
  request: RemotingCommand,
  brokerAddress: string,
) => Promise<RemotingCommand | undefined>;

export interface TopicRouteOptions {
  /** Ask a name server even when the route is cached. */
  readonly refresh?: boolean;
}

/** recheckRoute reads a topic's route at most this often. */
const ROUTE_RECHECK_MS = 1000;

export class ClientInstance extends TypedEmitter<ClientInstanceEvents> {
  readonly clientId: string;
  readonly options: ResolvedClientOptions;
  readonly #remoting: RemotingClient;
  readonly #nameServers: NameServerSelector;
  readonly #registrations = new ClientRegistrations();
  /** Topics whose routes are kept fresh; undefined = the name server does not know the topic (yet). */
  readonly #routes = new Map<string, TopicRouteData | undefined>();
  readonly #routeFetches = new Map<string, Promise<TopicRouteData | undefined>>();
  /** When each topic's route was last re-read by recheckRoute. */
  readonly #rechecked = new Map<string, number>();
  readonly #brokerRequestHandlers = new Map<number, BrokerRequestHandler>();
  readonly #timers: TimerHandle[] = [];
  #failures = 0;
  /** Set once the connections are closing; nothing is sent after that. */
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(options: ResolvedClientOptions) {
    // A failing backgroundError listener is only logged: reporting it as an event could loop.
    super({
      onListenerError: (error, event) =>
        this.#logFailure(`listener of ${String(event)}`, error, event !== 'backgroundError'),
    });
    this.options = options;
    this.clientId = buildClientId(options.clientIP, options.instanceName);
    this.#nameServers = new NameServerSelector(options.nameServers);
    this.#remoting = new RemotingClient({
      clock: options.clock,
      onRequest: (request, connection) => this.#onBrokerRequest(request, connection),
    });
    const { clock } = options;
    this.#timers.push(
      clock.setInterval(() => void this.refreshRoutes(), options.pollNameServerIntervalMs),
      clock.setInterval(() => void this.#heartbeatRound(), options.heartbeatBrokerIntervalMs),
    );
  }

  /** Scheduled tasks that failed since this instance started; for monitoring and tests. */
  get backgroundFailures(): number {
    return this.#failures;
  }

  get isClosed(): boolean {
    return this.#shutdown !== undefined;
  }

  get registrations(): ClientRegistrations {
    return this.#registrations;
  }

  /** Topics whose routes this instance keeps fresh. */
  get topicsInUse(): readonly string[] {
    return [...this.#routes.keys()];
  }

  registerProducer(group: string): void {
    this.#registrations.addProducer(group);
  }

  unregisterProducer(group: string): Promise<void> {
    return this.#registrations.removeProducer(group)
      ? this.#unregisterClient({ producerGroup: group })
      : Promise.resolve();
  }

  /** The consumer engineer's hook: `provide` is called for every heartbeat. */
  registerConsumer(group: string, provide: ConsumerDataProvider): void {
    this.#registrations.addConsumer(group, provide);
  }

  /** Leaves `group` only if `provide` is the registered provider (see ClientRegistrations). */
  unregisterConsumer(group: string, provide: ConsumerDataProvider): Promise<void> {
    return this.#registrations.removeConsumer(group, provide)
      ? this.#unregisterClient({ consumerGroup: group })
      : Promise.resolve();
  }

  /** Registers the answer to one broker → client request code (e.g. CHECK_TRANSACTION_STATE). */
  handleBrokerRequest(code: number, handler: BrokerRequestHandler): () => void {
    this.#brokerRequestHandlers.set(code, handler);
    return () => {
      if (this.#brokerRequestHandlers.get(code) === handler) this.#brokerRequestHandlers.delete(code);
    };
  }

  /**
   * The route of `topic`, from the cache unless `refresh` or not cached; undefined when no name
   * server knows the topic. From now on the topic's route is refreshed on schedule.
   */
  async topicRoute(topic: string, options: TopicRouteOptions = {}): Promise<TopicRouteData | undefined> {
    if (options.refresh !== true && this.#routes.get(topic) !== undefined) return this.#routes.get(topic);
    return this.#fetchRoute(topic);
  }

  /** The master address of a broker group, from the routes in use. */
  brokerAddress(brokerName: string): string | undefined {
    return findMasterAddress(this.#knownRoutes(), brokerName);
  }

  /**
   * Broker `brokerId` of group `brokerName`, or a fallback (route-snapshot.ts findBrokerAddress);
   * `topic`'s own route is consulted first, as the freshest for it.
   */
  findBrokerAddress(
    brokerName: string,
    brokerId: number,
    onlyThisBroker: boolean,
    topic?: string,
  ): FoundBroker | undefined {
    const own = topic === undefined ? undefined : this.#routes.get(topic);
    const routes = own === undefined ? this.#knownRoutes() : [own, ...this.#knownRoutes()];
    return findBrokerAddress(routes, brokerName, brokerId, onlyThisBroker);
  }

  /**
   * Re-reads `topic`'s route now, unless that was done less than ROUTE_RECHECK_MS ago: a consumer
   * that finds a broker gone (or a suggested one missing) learns the new route at once instead of
   * at the next pollNameServerInterval, without flooding the name servers. Never rejects: a
   * failure is logged and counted like a failed scheduled refresh.
   */
  async recheckRoute(topic: string): Promise<void> {
    const now = this.options.clock.now();
    if (now - (this.#rechecked.get(topic) ?? -Infinity) < ROUTE_RECHECK_MS) return;
    this.#rechecked.set(topic, now);
    try {
      await this.#fetchRoute(topic);
    } catch (error) {
      // Not the caller's failure: the scheduled refresh tries again, and the caller retries anyway.
      this.#logFailure(`route re-read of ${topic}`, error);
    }
  }

  /** Re-reads the routes of every topic in use; what the schedule runs. */
  async refreshRoutes(): Promise<void> {
    await Promise.all(
      this.topicsInUse.map((topic) =>
        this.#fetchRoute(topic).catch((error: unknown) =>
          this.#logFailure(`route refresh of ${topic}`, error),
        ),
      ),
    );
  }

  /** A heartbeat to every broker of the routes in use (slaves too when consumers are registered). */
  async sendHeartbeatToAllBrokers(): Promise<void> {
    if (this.#closed || this.#registrations.isEmpty) return;
    const body = encodeHeartbeatData(this.#registrations.heartbeat(this.clientId));
    const addresses = brokerAddressesOf(this.#knownRoutes(), !this.#registrations.hasConsumers);
    const results = await Promise.allSettled(
      addresses.map((address) =>
        this.#expectSuccess(address, createRequest({ code: RequestCode.HEART_BEAT, opaque: 0, body })),
      ),
    );
    const failed = results.flatMap((result, i) =>
      result.status === 'rejected' ? [[addresses[i], result.reason] as const] : [],
    );
    for (const [address, error] of failed) this.#logFailure(`heartbeat to ${address}`, error);
  }

  invoke(
    address: string,
    request: RemotingCommand,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<RemotingCommand> {
    return this.#remoting.invoke(address, request, timeoutMs);
  }

  invokeOneway(address: string, request: RemotingCommand): Promise<void> {
    return this.#remoting.invokeOneway(address, request);
  }

  /**
   * Stops the schedules, unregisters every group from every broker, closes all connections.
   * Calls after the first share its completion.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    for (const timer of this.#timers) this.options.clock.clearInterval(timer);
    const unregistering = [
      ...this.#registrations.producerGroups.map((group) => this.#unregisterClient({ producerGroup: group })),
      ...this.#registrations.consumerGroups.map((group) => this.#unregisterClient({ consumerGroup: group })),
    ];
    await Promise.all(unregistering);
    this.#closed = true;
    await this.#remoting.close();
    this.removeAllListeners();
  }

  *#knownRoutes(): Iterable<TopicRouteData> {
    for (const route of this.#routes.values()) if (route !== undefined) yield route;
  }

  #fetchRoute(topic: string): Promise<TopicRouteData | undefined> {
    let fetching = this.#routeFetches.get(topic);
    if (fetching === undefined) {
      fetching = this.#askNameServers(topic).finally(() => this.#routeFetches.delete(topic));
      this.#routeFetches.set(topic, fetching);
    }
    return fetching;
  }

  async #askNameServers(topic: string): Promise<TopicRouteData | undefined> {
    const request = createRequest({
      code: RequestCode.GET_ROUTEINFO_BY_TOPIC,
      opaque: 0,
      extFields: GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: undefined }),
    });
    let lastError: unknown;
    for (const address of this.#nameServers.inTryOrder()) {
      let response: RemotingCommand;
      try {
        response = await this.#remoting.invoke(address, request, this.options.requestTimeoutMs);
      } catch (error) {
        // Unreachable or too slow: the next name server has the same routes.
        if (!isRetriable(error)) throw error;
        lastError = error;
        continue;
      }
      this.#nameServers.answered(address);
      if (response.code === ResponseCode.TOPIC_NOT_EXIST) return this.#storeRoute(topic, undefined);
      if (response.code !== ResponseCode.SUCCESS)
        throw new BrokerResponseError(response.code, response.remark, address);
      return this.#storeRoute(topic, decodeTopicRouteData(response.body));
    }
    throw lastError;
  }

  #storeRoute(topic: string, route: TopicRouteData | undefined): TopicRouteData | undefined {
    const known = this.#routes.has(topic);
    const previous = this.#routes.get(topic);
    this.#routes.set(topic, route);
    if (known && routeFingerprint(previous) === routeFingerprint(route)) return route;
    if (!known && route === undefined) return route;
    this.emit('routeChanged', { topic, route });
    // New brokers should learn who we are before the next scheduled round.
    if (route !== undefined) void this.#heartbeatRound();
    return route;
  }

  async #heartbeatRound(): Promise<void> {
    try {
      await this.sendHeartbeatToAllBrokers();
    } catch (error) {
      this.#logFailure('heartbeat round', error);
    }
  }

  async #expectSuccess(address: string, request: RemotingCommand): Promise<RemotingCommand> {
    const response = await this.#remoting.invoke(address, request, this.options.requestTimeoutMs);
    if (response.code !== ResponseCode.SUCCESS)
      throw new BrokerResponseError(response.code, response.remark, address);
    return response;
  }

  async #unregisterClient(group: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    if (this.#closed) return;
    const extFields = UnregisterClientRequestHeader.encode({
      clientID: this.clientId,
      producerGroup: group.producerGroup,
      consumerGroup: group.consumerGroup,
    });
    const addresses = brokerAddressesOf(this.#knownRoutes(), false);
    const results = await Promise.allSettled(
      addresses.map((address) =>
        this.#expectSuccess(
          address,
          createRequest({ code: RequestCode.UNREGISTER_CLIENT, opaque: 0, extFields }),
        ),
      ),
    );
    results.forEach((result, i) => {
      if (result.status === 'rejected') this.#logFailure(`unregister from ${addresses[i]}`, result.reason);
    });
  }

  #onBrokerRequest(request: RemotingCommand, connection: RemotingConnection): void {
    const brokerAddress = connection.remoteAddress;
    if (request.code === RequestCode.NOTIFY_CONSUMER_IDS_CHANGED) {
      try {
        const { consumerGroup } = NotifyConsumerIdsChangedRequestHeader.decode(request.extFields);
        this.emit('consumerIdsChanged', { group: consumerGroup, brokerAddress });
      } catch (error) {
        this.#logFailure(`NOTIFY_CONSUMER_IDS_CHANGED from ${brokerAddress}`, error);
      }
      return;
    }
    const handler = this.#brokerRequestHandlers.get(request.code);
    if (handler === undefined) {
      if (!isOneway(request)) {
        connection.send(
          createResponse(
            request,
            ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
            ` request type ${request.code} not supported`,
          ),
        );
      }
      return;
    }
    handler(request, brokerAddress).then(
      (response) => {
        if (response !== undefined && !isOneway(request))
          connection.send({ ...response, opaque: request.opaque });
      },
      (error: unknown) => {
        this.#logFailure(`broker request ${request.code} from ${brokerAddress}`, error);
        if (!isOneway(request)) {
          connection.send(
            createResponse(
              request,
              ResponseCode.SYSTEM_ERROR,
              error instanceof Error ? error.message : String(error),
            ),
          );
        }
      },
    );
  }

  #logFailure(task: string, error: unknown, report = true): void {
    this.#failures += 1;
    this.options.logger.warn('client task failed', {
      task,
      clientId: this.clientId,
      failures: this.#failures,
      error: error instanceof Error ? error : String(error),
    });
    if (report && this.listenerCount('backgroundError') > 0) this.emit('backgroundError', { task, error });
  }
}
