// Shared pieces of the name-server integration tests: a real NameServer on an ephemeral port of
// 127.0.0.1 over an in-memory disk, and a broker's REGISTER_BROKER built the way a broker sends it.

import { systemClock, type Clock } from '../../src/common/clock';
import { silentLogger } from '../../src/common/logger';
import { NameServer } from '../../src/namesrv/name-server';
import {
  encodeRegisterBrokerBody,
  registerBrokerBodyCrc32,
} from '../../src/protocol/bodies/register-broker-body';
import { decodeTopicRouteData, type TopicRouteData } from '../../src/protocol/bodies/topic-route-data';
import { RegisterBrokerRequestHeader } from '../../src/protocol/headers/namesrv-headers';
import { createRequest, type RemotingCommand } from '../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import type { DataVersion } from '../../src/store/metadata/data-version';
import {
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigInput,
} from '../../src/store/metadata/topic-config-file';
import { RemotingClient } from '../../src/transport/remoting-client';

export const KV_CONFIG_PATH = '/namesrv/kvConfig.json';
/** RocketMQ's defaults; tests that move a FakeClock rely on these exact values. */
export const SCAN_INTERVAL_MS = 10_000;
export const BROKER_EXPIRY_MS = 120_000;
/** Generous for a loopback round trip, short enough that a lost response fails the test quickly. */
export const INVOKE_TIMEOUT_MS = 3000;

export interface StartNameServerOptions {
  readonly clock?: Clock;
  readonly disk?: MemoryDisk;
  readonly listenPort?: number;
  readonly orderMessageEnable?: boolean;
}

export function startNameServer(options: StartNameServerOptions = {}): Promise<NameServer> {
  return NameServer.start({
    listenPort: options.listenPort ?? 0,
    host: '127.0.0.1',
    kvConfigPath: KV_CONFIG_PATH,
    orderMessageEnable: options.orderMessageEnable ?? false,
    scanNotActiveBrokerIntervalMs: SCAN_INTERVAL_MS,
    brokerChannelExpiredTimeMs: BROKER_EXPIRY_MS,
    clock: options.clock ?? systemClock,
    disk: options.disk ?? new MemoryDisk(),
    log: silentLogger,
  });
}

export function newClient(): RemotingClient {
  return new RemotingClient({ clock: systemClock });
}

/** What a broker tells the name server about itself. */
export interface TestBroker {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  readonly haServerAddr: string;
  readonly dataVersion: DataVersion;
  readonly topics: readonly TopicConfig[];
}

export function topic(topicName: string, overrides: Omit<TopicConfigInput, 'topicName'> = {}): TopicConfig {
  return resolveTopicConfig({ topicName, readQueueNums: 4, writeQueueNums: 4, ...overrides });
}

export function masterBroker(overrides: Partial<TestBroker> = {}): TestBroker {
  return {
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    brokerAddr: '10.0.0.5:10911',
    brokerId: 0,
    haServerAddr: '10.0.0.5:10912',
    dataVersion: { timestamp: 1_700_000_000_000, counter: 1 },
    topics: [topic('TopicTest')],
    ...overrides,
  };
}

export function slaveOf(master: TestBroker, overrides: Partial<TestBroker> = {}): TestBroker {
  return masterBroker({
    clusterName: master.clusterName,
    brokerName: master.brokerName,
    brokerAddr: '10.0.0.6:10911',
    brokerId: 1,
    haServerAddr: '10.0.0.6:10912',
    topics: [],
    ...overrides,
  });
}

export interface RegisterOptions {
  readonly compressed?: boolean;
  /** 'body' (default) sends the body's real CRC, 'none' sends 0 (unchecked), a number sends it as is. */
  readonly crc32?: 'body' | 'none' | number;
}

export function registerBrokerRequest(broker: TestBroker, options: RegisterOptions = {}): RemotingCommand {
  const compressed = options.compressed ?? false;
  const body = encodeRegisterBrokerBody(
    {
      topicConfigSerializeWrapper: {
        dataVersion: broker.dataVersion,
        topicConfigTable: new Map(broker.topics.map((config) => [config.topicName, config])),
      },
      filterServerList: [],
    },
    { compressed },
  );
  const crc = options.crc32 ?? 'body';
  const bodyCrc32 = crc === 'body' ? registerBrokerBodyCrc32(body) : crc === 'none' ? 0 : crc;
  return createRequest({
    code: RequestCode.REGISTER_BROKER,
    opaque: 0,
    extFields: RegisterBrokerRequestHeader.encode({
      brokerName: broker.brokerName,
      brokerAddr: broker.brokerAddr,
      clusterName: broker.clusterName,
      haServerAddr: broker.haServerAddr,
      brokerId: broker.brokerId,
      compressed,
      bodyCrc32,
    }),
    body,
  });
}

export function registerBroker(
  client: RemotingClient,
  address: string,
  broker: TestBroker,
  options: RegisterOptions = {},
): Promise<RemotingCommand> {
  return client.invoke(address, registerBrokerRequest(broker, options), INVOKE_TIMEOUT_MS);
}

/** Sends a request with the given code and header fields; resolves with the response, whatever its code. */
export function call(
  client: RemotingClient,
  address: string,
  code: number,
  extFields: Readonly<Record<string, string>> = {},
  init: { readonly version?: number } = {},
): Promise<RemotingCommand> {
  return client.invoke(address, createRequest({ code, opaque: 0, extFields, ...init }), INVOKE_TIMEOUT_MS);
}

/** The decoded route of `topicName`, or undefined when the name server answers TOPIC_NOT_EXIST. */
export async function fetchRoute(
  client: RemotingClient,
  address: string,
  topicName: string,
): Promise<TopicRouteData | undefined> {
  const response = await call(client, address, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: topicName });
  if (response.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(
      `GET_ROUTEINFO_BY_TOPIC ${topicName} answered ${response.code}: ${response.remark ?? ''}`,
    );
  }
  return decodeTopicRouteData(response.body);
}
