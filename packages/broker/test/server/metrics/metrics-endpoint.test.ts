// The broker's Prometheus endpoint, scraped over HTTP from a real in-process broker and parsed as
// Prometheus would parse it: the values follow sends, pulls, consumer progress, delayed, timed and
// half messages.

import { createServer } from 'node:net';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { Producer } from '../../../src/client/producer/producer';
import { LocalTransactionState } from '../../../src/client/transaction/local-transaction-state';
import { TransactionProducer } from '../../../src/client/transaction/transaction-producer';
import { systemClock } from '../../../src/common/clock';
import { parseProperties } from '../../../src/common/properties-file';
import type { Broker } from '../../../src/server/broker';
import { resolveBrokerConfig } from '../../../src/server/broker-config';
import { waitFor } from '../../../src/testing/await-event';
import { closeServer, listenOnEphemeralPort } from '../../../src/testing/servers';
import { startClientCluster, type ClientTestCluster } from '../../client/client-cluster-fixture';
import {
  ClientsToClose,
  createTopic,
  fastConsumerOptions,
  nextInstanceName,
  startProducer,
} from '../../client/integration/consumer-test-kit';
import { parseExposition, valueOf, type Exposition } from './prometheus-text';

const TOPIC = 'MetricsOrders';
const GROUP = 'metrics-cg';

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnEphemeralPort(probe);
  await closeServer(probe);
  return port;
}

describe('broker metrics endpoint', () => {
  let cluster: ClientTestCluster;
  let broker: Broker;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster([]);
    broker = await cluster.startBroker('broker-m', { metricsPort: await freePort() });
    await createTopic(cluster, TOPIC, 2);
    producer = await startProducer(cluster, 'metrics-pg');
  }, 30_000);

  afterAll(async () => {
    await clients.closeAll();
    await producer?.shutdown();
    await cluster?.stop();
  });

  async function scrape(): Promise<Exposition> {
    const response = await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  const ours = { cluster: 'DefaultCluster', broker: 'broker-m' };

  it('declares every metric with its type and labels the broker', async () => {
    const metrics = await scrape();
    expect(Object.fromEntries([...metrics.types].filter(([name]) => name.startsWith('keel_')))).toEqual({
      keel_messages_put_total: 'counter',
      keel_messages_get_total: 'counter',
      keel_put_bytes_total: 'counter',
      keel_get_bytes_total: 'counter',
      keel_put_failures_total: 'counter',
      keel_send_latency_seconds: 'histogram',
      keel_pull_latency_seconds: 'histogram',
      keel_disk_used_ratio: 'gauge',
      keel_commitlog_bytes: 'gauge',
      keel_consumer_lag_messages: 'gauge',
      keel_half_messages: 'gauge',
      keel_delayed_messages_pending: 'gauge',
      keel_timed_messages_pending: 'gauge',
      keel_replication_lag_bytes: 'gauge',
    });
    // No process or default metrics: the registry is the broker's own.
    expect(metrics.samples.every((s) => s.name.startsWith('keel_'))).toBe(true);
    expect(metrics.samples.every((s) => s.labels['broker'] === 'broker-m')).toBe(true);
  });

  it('counts sends and their bytes and times them', async () => {
    const before = await scrape();
    for (let i = 0; i < 5; i++) await producer.send({ topic: TOPIC, body: `order ${i}` });
    const after = await scrape();
    const delta = (name: string) => valueOf(after, name, ours)! - valueOf(before, name, ours)!;
    expect(delta('keel_messages_put_total')).toBe(5);
    expect(delta('keel_put_bytes_total')).toBeGreaterThan(5 * 'order 0'.length);
    expect(delta('keel_send_latency_seconds_count')).toBe(5);
    expect(delta('keel_send_latency_seconds_sum')).toBeGreaterThan(0);
    // Buckets are cumulative: +Inf holds every observation.
    expect(valueOf(after, 'keel_send_latency_seconds_bucket', { ...ours, le: '+Inf' })).toBe(
      valueOf(after, 'keel_send_latency_seconds_count', ours),
    );
    expect(valueOf(after, 'keel_commitlog_bytes', ours)).toBeGreaterThan(0);
  });

  it('counts pulls and shows a group lag that follows its consumption', async () => {
    const before = await scrape();
    const consumed: string[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, GROUP)));
    consumer.subscribe(TOPIC, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) consumed.push(message.body.toString());
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    await waitFor(() => consumed.length >= 5, { timeoutMs: 10_000, description: 'five orders consumed' });
    const lagOf = async () =>
      valueOf(await scrape(), 'keel_consumer_lag_messages', { ...ours, group: GROUP, topic: TOPIC });
    await waitFor(async () => (await lagOf()) === 0, {
      timeoutMs: 5000,
      intervalMs: 100,
      description: 'lag 0',
    });
    const after = await scrape();
    const delta = (name: string) => valueOf(after, name, ours)! - valueOf(before, name, ours)!;
    expect(delta('keel_messages_get_total')).toBeGreaterThanOrEqual(5);
    expect(delta('keel_get_bytes_total')).toBeGreaterThan(0);
    expect(delta('keel_pull_latency_seconds_count')).toBeGreaterThanOrEqual(1);

    await consumer.shutdown();
    for (let i = 0; i < 3; i++) await producer.send({ topic: TOPIC, body: `late ${i}` });
    expect(await lagOf()).toBe(3);
  }, 30_000);

  it('shows delayed, timed and half messages waiting', async () => {
    // Level 3 is 10 s by default, the delivery time a minute ahead, the transaction timeout 6 s:
    // all three are still waiting when scraped.
    await producer.send({ topic: TOPIC, body: 'later', delayLevel: 3 });
    await producer.send({ topic: TOPIC, body: 'at a time', deliverAt: systemClock.now() + 60_000 });
    const txProducer = clients.track(
      new TransactionProducer({
        group: 'metrics-tx-pg',
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName('metrics-tx'),
        clock: systemClock,
        checkLocalTransaction: () => LocalTransactionState.UNKNOW,
      }),
    );
    await txProducer.start();
    await txProducer.sendMessageInTransaction(
      { topic: TOPIC, body: 'undecided' },
      () => LocalTransactionState.UNKNOW,
    );

    const metrics = await waitFor(
      async () => {
        const scraped = await scrape();
        return valueOf(scraped, 'keel_timed_messages_pending', ours) === 1 ? scraped : undefined;
      },
      { timeoutMs: 5000, intervalMs: 100, description: 'the timed message counted' },
    );
    expect(valueOf(metrics, 'keel_delayed_messages_pending', { ...ours, level: '3' })).toBe(1);
    expect(valueOf(metrics, 'keel_delayed_messages_pending', { ...ours, level: '1' })).toBe(0);
    expect(valueOf(metrics, 'keel_half_messages', { ...ours, state: 'pending' })).toBe(1);
    expect(valueOf(metrics, 'keel_half_messages', { ...ours, state: 'parked' })).toBe(0);
  });

  it('shows no replication lag on a master without a slave (unknown, not zero)', async () => {
    const metrics = await scrape();
    expect(valueOf(metrics, 'keel_replication_lag_bytes', ours)).toBeUndefined();
  });

  it('answers only GET /metrics', async () => {
    const other = await fetch(`http://127.0.0.1:${broker.metricsPort}/`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('not found: the metrics are at /metrics\n');
    const post = await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('is off unless metricsPort is set, and metricsPort may not take a remoting port', async () => {
    const off = await cluster.startBroker('broker-off');
    expect(off.metricsPort).toBe(0);
    await cluster.stopBroker('broker-off');
    const config = resolveBrokerConfig(
      parseProperties(''),
      { brokerName: 'x' },
      {
        host: { hostname: 'h', homeDir: '/tmp/keel-metrics-home', firstExternalIPv4: '127.0.0.1' },
      },
    );
    expect(config.metricsPort).toBe(0);
    expect(() =>
      resolveBrokerConfig(
        parseProperties('listenPort=10911\nmetricsPort=10912'),
        {},
        {
          host: { hostname: 'h', homeDir: '/tmp/keel-metrics-home', firstExternalIPv4: '127.0.0.1' },
        },
      ),
    ).toThrow(
      /metricsPort: 10912 is one of the broker's remoting ports \(10909, 10911, 10912\); pick another/,
    );
  });

  it('closes with the broker and frees its port', async () => {
    const other = await cluster.startBroker('broker-m2', { metricsPort: await freePort() });
    const port = other.metricsPort;
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await cluster.stopBroker('broker-m2');
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
    await closeServer(probe);
  });
});
