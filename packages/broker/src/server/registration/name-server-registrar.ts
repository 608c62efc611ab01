// Keeps the broker registered with every name server (RocketMQ's BrokerController.registerBrokerAll):
// once at start, every registerNameServerPeriod (30 s), and soon after each topic change. Name
// servers are independent, so each is registered in parallel and a dead one only costs its own
// timeout. Registrations never overlap: a change during one schedules exactly one more.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import {
  encodeRegisterBrokerBody,
  registerBrokerBodyCrc32,
} from '../../protocol/bodies/register-broker-body';
import {
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  UnRegisterBrokerRequestHeader,
} from '../../protocol/headers/namesrv-headers';
import { createRequest } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { DataVersion } from '../../store/metadata/data-version';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { RemotingClient } from '../../transport/remoting-client';

export interface BrokerRegistrationIdentity {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
  readonly haServerAddr: string;
}

export interface NameServerRegistrarOptions {
  readonly identity: BrokerRegistrationIdentity;
  readonly nameServers: readonly string[];
  readonly client: RemotingClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly periodMs: number;
  readonly timeoutMs: number;
  /** The topic table to report, read at each registration. */
  readonly topics: () => { readonly dataVersion: DataVersion; readonly topics: readonly TopicConfig[] };
}

/** What the name servers said to the last registration (a slave learns its master here). */
export interface RegistrationOutcome {
  readonly nameServer: string;
  readonly ok: boolean;
  readonly masterAddr?: string | undefined;
  readonly haServerAddr?: string | undefined;
  readonly error?: string;
}

export class NameServerRegistrar {
  readonly #options: NameServerRegistrarOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  /** Name servers whose last registration failed: logged once per failure streak, not every period. */
  readonly #failing = new Set<string>();
  /** Name servers registered with at least once: the first success is worth a log line. */
  readonly #registered = new Set<string>();
  #lastOutcomes: readonly RegistrationOutcome[] = [];

  constructor(options: NameServerRegistrarOptions) {
    this.#options = options;
  }

  get lastOutcomes(): readonly RegistrationOutcome[] {
    return this.#lastOutcomes;
  }

  /** Registers once (awaited, so a started broker is routable), then periodically. */
  async start(): Promise<void> {
    await this.registerAll();
    if (this.#stopped || this.#options.nameServers.length === 0) return;
    this.#timer = this.#options.clock.setInterval(() => void this.registerAll(), this.#options.periodMs);
  }

  /** A topic changed: register again now, or right after the registration in flight. */
  topicsChanged(): void {
    if (this.#stopped) return;
    void this.registerAll();
  }

  registerAll(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#registerLoop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops the period and unregisters from every name server (errors are logged, not thrown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearInterval(this.#timer);
    await this.#running;
    const { identity, nameServers, client, timeoutMs, log } = this.#options;
    const extFields = UnRegisterBrokerRequestHeader.encode({
      brokerName: identity.brokerName,
      brokerAddr: identity.brokerAddr,
      clusterName: identity.clusterName,
      brokerId: identity.brokerId,
    });
    await Promise.all(
      nameServers.map(async (nameServer) => {
        try {
          const response = await client.invoke(
            nameServer,
            createRequest({ code: RequestCode.UNREGISTER_BROKER, opaque: 0, extFields }),
            timeoutMs,
          );
          if (response.code !== ResponseCode.SUCCESS)
            throw new Error(response.remark ?? `code ${response.code}`);
          log.info('unregistered from name server', { nameServer });
        } catch (error) {
          log.warn('unregistering from name server failed', { nameServer, error: String(error) });
        }
      }),
    );
  }

  async #registerLoop(): Promise<void> {
    do {
      this.#again = false;
      this.#lastOutcomes = await this.#registerOnce();
    } while (this.#again && !this.#stopped);
  }

  async #registerOnce(): Promise<RegistrationOutcome[]> {
    const { identity, nameServers, client, timeoutMs } = this.#options;
    const table = this.#options.topics();
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: {
        dataVersion: table.dataVersion,
        topicConfigTable: new Map(table.topics.map((topic) => [topic.topicName, topic])),
      },
      filterServerList: [],
    });
    const extFields = RegisterBrokerRequestHeader.encode({
      brokerName: identity.brokerName,
      brokerAddr: identity.brokerAddr,
      clusterName: identity.clusterName,
      haServerAddr: identity.haServerAddr,
      brokerId: identity.brokerId,
      compressed: false,
      bodyCrc32: registerBrokerBodyCrc32(body),
    });
    return Promise.all(
      nameServers.map(async (nameServer): Promise<RegistrationOutcome> => {
        try {
          const response = await client.invoke(
            nameServer,
            createRequest({ code: RequestCode.REGISTER_BROKER, opaque: 0, extFields, body }),
            timeoutMs,
          );
          if (response.code !== ResponseCode.SUCCESS) {
            throw new Error(`code ${response.code}: ${response.remark ?? ''}`);
          }
          const answer = RegisterBrokerResponseHeader.decode(response.extFields);
          this.#recovered(nameServer);
          return { nameServer, ok: true, masterAddr: answer.masterAddr, haServerAddr: answer.haServerAddr };
        } catch (error) {
          this.#failed(nameServer, error);
          return { nameServer, ok: false, error: String(error) };
        }
      }),
    );
  }

  #failed(nameServer: string, error: unknown): void {
    if (this.#failing.has(nameServer)) return;
    this.#failing.add(nameServer);
    this.#options.log.warn('registration with name server failed; retrying every period', {
      nameServer,
      error: String(error),
    });
  }

  #recovered(nameServer: string): void {
    if (this.#failing.delete(nameServer)) {
      this.#options.log.info('registered with name server again', { nameServer });
    } else if (!this.#registered.has(nameServer)) {
      this.#options.log.info('registered with name server', { nameServer });
    }
    this.#registered.add(nameServer);
  }
}
