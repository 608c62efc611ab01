// A name server and one broker in this process, storing under the data directory, for the
// one-process example. The broker can be stopped and started again on the same port and store,
// which is how the scenario shows a broker restart; the name server stays up throughout.

import { join } from 'node:path';
import { parseProperties, type Clock, type Logger } from '@keel/broker';
import { AdminClient } from '@keel/broker/client';
import { Broker, NameServer, NodeDisk, resolveBrokerConfig } from '@keel/broker/internal';
import { findFreeBrokerPort } from '@keel/broker/testing';
import { Topics } from '../events/topics';
import { EXAMPLE_BROKER_SETTINGS, EXAMPLE_QUEUES_PER_TOPIC } from './broker-settings';

export interface EmbeddedClusterOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class EmbeddedCluster {
  readonly #nameServer: NameServer;
  readonly #config: ReturnType<typeof resolveBrokerConfig>;
  readonly #options: EmbeddedClusterOptions;
  #broker: Broker | undefined;

  private constructor(
    nameServer: NameServer,
    config: ReturnType<typeof resolveBrokerConfig>,
    options: EmbeddedClusterOptions,
  ) {
    this.#nameServer = nameServer;
    this.#config = config;
    this.#options = options;
  }

  static async start(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
    const { dataDir, clock, logger } = options;
    const nameServer = await NameServer.start({
      listenPort: 0,
      host: '127.0.0.1',
      kvConfigPath: join(dataDir, 'namesrv', 'kvConfig.json'),
      orderMessageEnable: false,
      scanNotActiveBrokerIntervalMs: 5_000,
      brokerChannelExpiredTimeMs: 120_000,
      clock,
      disk: new NodeDisk(),
      log: logger.child('namesrv'),
    });
    try {
      const config = resolveBrokerConfig(parseProperties(''), {
        ...EXAMPLE_BROKER_SETTINGS,
        brokerIP1: '127.0.0.1',
        listenPort: await findFreeBrokerPort(),
        namesrvAddr: nameServer.address,
        storePathRootDir: join(dataDir, 'broker'),
      });
      const cluster = new EmbeddedCluster(nameServer, config, options);
      await cluster.startBroker();
      await cluster.#createTopics();
      return cluster;
    } catch (error: unknown) {
      await nameServer.close();
      throw error;
    }
  }

  /** `host:port` of the name server, for clients. */
  get nameServer(): string {
    return this.#nameServer.address;
  }

  get brokerRunning(): boolean {
    return this.#broker !== undefined;
  }

  async startBroker(): Promise<void> {
    if (this.#broker !== undefined) return;
    this.#broker = await Broker.start({
      config: this.#config,
      log: this.#options.logger.child('broker'),
      clock: this.#options.clock,
      disk: new NodeDisk(),
      bindAddress: '127.0.0.1',
    });
  }

  async stopBroker(reason: string): Promise<void> {
    const broker = this.#broker;
    this.#broker = undefined;
    await broker?.close(reason);
  }

  async stop(): Promise<void> {
    const broker = await this.stopBroker('the example is stopping').then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    // Closed even when the broker's close failed: a name server left open keeps the process alive.
    await this.#nameServer.close();
    if (broker !== undefined) throw broker.error;
  }

  async #createTopics(): Promise<void> {
    const admin = new AdminClient({
      nameServer: this.nameServer,
      logger: this.#options.logger.child('admin'),
    });
    try {
      for (const topic of Object.values(Topics)) {
        await admin.createOrUpdateTopic({
          topic,
          cluster: EXAMPLE_BROKER_SETTINGS.brokerClusterName,
          readQueueNums: EXAMPLE_QUEUES_PER_TOPIC,
          writeQueueNums: EXAMPLE_QUEUES_PER_TOPIC,
        });
      }
    } finally {
      await admin.close();
    }
  }
}
