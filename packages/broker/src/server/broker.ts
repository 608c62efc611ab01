// The broker process: the store and managers (openBrokerContext), the remoting servers on
// listenPort and on the VIP port listenPort - 2 (the same processors without PULL_MESSAGE, so long
// polls never occupy it), registration with the name servers, and housekeeping (silent clients
// dropped, expired queue locks purged).
//
// Shutdown order (SIGTERM): unregister from the name servers so clients stop routing here; stop
// accepting and answer held pulls; let requests in progress finish (bounded); then persist offsets,
// flush, checkpoint and remove the abort file (store close).

import { systemClock, type Clock, type TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import { RequestCode } from '../protocol/remoting/request-code';
import { ResponseCode } from '../protocol/remoting/response-code';
import type { Disk } from '../store/disk/disk';
import { NodeDisk } from '../store/disk/node-disk';
import { ProcessorTable } from '../transport/processor-table';
import { RemotingClient } from '../transport/remoting-client';
import type { RemotingConnection } from '../transport/remoting-connection';
import { RemotingServer } from '../transport/remoting-server';
import type { BrokerConfig } from './broker-config';
import type { BrokerContext } from './broker-context';
import { PERM_READ_WRITE } from '../protocol/perm-name';
import type { TopicConfig } from '../store/metadata/topic-config-file';
import type { ClientChannel } from './client/client-channel';
import { openBrokerContext, type OpenedBrokerContext } from './open-broker-context';
import { MetricsServer } from './metrics/metrics-server';
import { registerBrokerProcessors } from './processor/register-processors';
import { NameServerRegistrar } from './registration/name-server-registrar';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly disk?: Disk;
  /** Interface to bind; default all (as RocketMQ). Tests bind 127.0.0.1. */
  readonly bindAddress?: string;
  /** How long shutdown waits for requests in progress. Default 5000 ms. */
  readonly shutdownGraceMs?: number;
}

const HOUSEKEEPING_INTERVAL_MS = 10_000;

export class Broker {
  readonly context: BrokerContext;
  readonly #opened: OpenedBrokerContext;
  readonly #servers: readonly RemotingServer[];
  readonly #client: RemotingClient;
  readonly #registrar: NameServerRegistrar;
  readonly #housekeeping: TimerHandle;
  readonly #options: BrokerOptions;
  /** Set after start when metricsPort is not 0. */
  #metrics: MetricsServer | undefined;
  #closed: Promise<void> | undefined;

  private constructor(
    opened: OpenedBrokerContext,
    servers: readonly RemotingServer[],
    client: RemotingClient,
    registrar: NameServerRegistrar,
    options: BrokerOptions,
  ) {
    this.context = opened.context;
    this.#opened = opened;
    this.#servers = servers;
    this.#client = client;
    this.#registrar = registrar;
    this.#options = options;
    this.#housekeeping = this.context.clock.setInterval(() => this.#houseKeep(), HOUSEKEEPING_INTERVAL_MS);
  }

  static async start(options: BrokerOptions): Promise<Broker> {
    const { config, log } = options;
    const clock = options.clock ?? systemClock;
    const disk = options.disk ?? new NodeDisk();
    const client = new RemotingClient({ clock });
    // Topic changes during start-up (none are expected) find no registrar yet; start() registers anyway.
    const registration: { registrar?: NameServerRegistrar } = {};
    let opaque = 0;
    const opened = await openBrokerContext({
      config,
      clock,
      disk,
      log,
      nextOpaque: () => (opaque = opaque >= 0x7fffffff ? 1 : opaque + 1),
      topicsChanged: () => registration.registrar?.topicsChanged(),
    });
    const { context } = opened;
    const servers: RemotingServer[] = [];
    try {
      const processors = registerBrokerProcessors(new ProcessorTable(), context);
      const common = {
        clock,
        idleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000,
        closingResponseCode: ResponseCode.SERVICE_NOT_AVAILABLE,
        ...(options.bindAddress === undefined ? {} : { host: options.bindAddress }),
      };
      servers.push(
        await RemotingServer.listen({ ...common, name: 'broker', processors, port: config.listenPort }),
      );
      servers.push(
        await RemotingServer.listen({
          ...common,
          name: 'broker (VIP)',
          processors: processors.without(RequestCode.PULL_MESSAGE),
          port: config.fastListenPort,
        }),
      );
    } catch (error) {
      await Promise.all(servers.map((server) => server.close({ graceMs: 0 })));
      await opened.close();
      await client.close();
      throw error;
    }
    for (const server of servers) watchServer(server, context);
    try {
      // Before registering: the name servers hand this HA address to slaves at once.
      await context.replication.start({
        client,
        registrations: () => registration.registrar?.lastOutcomes ?? [],
        ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
      });
    } catch (error) {
      await Promise.all(servers.map((server) => server.close({ graceMs: 0 })));
      await opened.close();
      await client.close();
      throw error;
    }
    const registrar = new NameServerRegistrar({
      identity: {
        clusterName: config.brokerClusterName,
        brokerName: config.brokerName,
        brokerId: config.brokerId,
        brokerAddr: context.brokerAddr,
        haServerAddr: `${config.brokerIP2}:${config.haListenPort}`,
      },
      nameServers: config.namesrvAddr,
      client,
      clock,
      log,
      periodMs: config.registerNameServerPeriod,
      timeoutMs: config.registerBrokerTimeoutMills,
      topics: () => ({
        dataVersion: context.topics.dataVersion,
        topics: registeredTopics(context.topics.topics(), config.brokerPermission),
      }),
    });
    registration.registrar = registrar;
    const broker = new Broker(opened, servers, client, registrar, options);
    if (config.metricsPort !== 0) {
      try {
        broker.#metrics = await MetricsServer.start(context, config.metricsPort, options.bindAddress);
      } catch (error) {
        await broker.close('the metrics endpoint could not start');
        throw error;
      }
    }
    await registrar.start();
    log.info('broker started', {
      cluster: config.brokerClusterName,
      broker: config.brokerName,
      id: config.brokerId,
      role: config.brokerRole,
      addr: context.brokerAddr,
      port: broker.port,
      vipPort: broker.vipPort,
      haPort: config.brokerRole === 'SLAVE' ? undefined : config.haListenPort,
      nameServers: config.namesrvAddr.join(';') || 'none',
      flush: config.store.flushDiskType,
    });
    return broker;
  }

  get port(): number {
    return this.#servers[0]?.port ?? 0;
  }

  get vipPort(): number {
    return this.#servers[1]?.port ?? 0;
  }

  /** Port of the metrics endpoint; 0 when metricsPort is 0 (off). */
  get metricsPort(): number {
    return this.#metrics?.port ?? 0;
  }

  /** `brokerIP1:port` of the main listener: what clients connect to. */
  get address(): string {
    return `${this.context.config.brokerIP1}:${this.port}`;
  }

  close(reason = 'shutdown requested'): Promise<void> {
    this.#closed ??= this.#close(reason);
    return this.#closed;
  }

  async #close(reason: string): Promise<void> {
    const { log, clock, holds } = this.context;
    log.info('broker shutting down', { reason });
    clock.clearInterval(this.#housekeeping);
    await this.#registrar.stop();
    // stop() answers the held pulls and also any pull parked after this point (one still reading
    // the store now), so the servers' drain below does not wait for them.
    holds.stop();
    const graceMs = this.#options.shutdownGraceMs ?? 5000;
    await Promise.all(this.#servers.map((server) => server.close({ graceMs })));
    await this.#metrics?.close();
    await this.#opened.close();
    await this.#client.close();
    log.info('broker stopped');
  }

  #houseKeep(): void {
    const { producers, consumers, locks, clock, log } = this.context;
    const now = clock.now();
    const silent = [...producers.scanExpired(now), ...consumers.scanExpired(now)];
    for (const channel of silent) {
      log.info('closing a client connection silent past clientChannelMaxIdleTimeSeconds', {
        client: channel.remoteAddress,
      });
      this.#connectionOf(channel)?.close('client sent no heartbeat in time');
    }
    locks.purgeExpired(now);
  }

  #connectionOf(channel: ClientChannel): RemotingConnection | undefined {
    for (const server of this.#servers) {
      for (const connection of server.connections()) if (connection.id === channel.id) return connection;
    }
    return undefined;
  }
}

/**
 * The topics as the name servers should route them. A broker whose brokerPermission is not
 * read-write (e.g. 4, read only, to drain it) registers every topic with that permission, as
 * RocketMQ does, so producers stop choosing its queues.
 */
function registeredTopics(topics: readonly TopicConfig[], brokerPermission: number): TopicConfig[] {
  if (brokerPermission === PERM_READ_WRITE) return [...topics];
  return topics.map((topic) => ({ ...topic, perm: brokerPermission }));
}

function watchServer(server: RemotingServer, context: BrokerContext): void {
  const { holds, producers, consumers, log } = context;
  server.on('disconnect', ({ connection }) => {
    holds.removeConnection(connection.id);
    producers.onChannelClosed(connection);
    consumers.onChannelClosed(connection);
  });
  server.on('processorError', ({ request, connection, error }) =>
    log.warn('request failed', {
      server: server.name,
      code: request.code,
      from: connection.remoteAddress,
      error: String(error),
    }),
  );
  server.on('protocolError', ({ connection, error }) =>
    log.warn('closed a connection that sent a malformed frame', {
      server: server.name,
      from: connection.remoteAddress,
      error: error.message,
    }),
  );
}
