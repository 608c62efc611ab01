// The broker's Prometheus metrics (docs/operations.md lists them), in a Registry of their own: the
// process may hold several brokers (tests, `npm run example`), and prom-client's global default
// registry would mix them. Counters mirror BrokerStats (the totals GET_BROKER_RUNTIME_INFO reports)
// and gauges are read from the broker's services when Prometheus scrapes, so nothing is computed
// between scrapes; only the two latency histograms are fed as requests are answered.
//
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BrokerContext } from '../broker-context';
import type { ReplicationStatus } from '../ha/replication';

/** Seconds; from 0.5 ms (an in-memory pull) to 5 s (a sync flush on a slow disk). */
export const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

export interface BrokerMetrics {
  readonly registry: Registry;
  /** Stops feeding the histograms (the counters and gauges read on scrape need no stopping). */
  close(): void;
}

export function createBrokerMetrics(context: BrokerContext): BrokerMetrics {
  const registry = new Registry();
  const registers = [registry];
  registry.setDefaultLabels({ cluster: context.config.brokerClusterName, broker: context.config.brokerName });

  statsCounter(
    registry,
    'keel_messages_put_total',
    'Messages stored by sends and consumer send-backs.',
    () => {
      return context.stats.snapshot().putMessages;
    },
  );
  statsCounter(registry, 'keel_messages_get_total', 'Messages returned to pulls.', () => {
    return context.stats.snapshot().getMessages;
  });
  statsCounter(registry, 'keel_put_bytes_total', 'Bytes of the records stored by sends.', () => {
    return context.stats.snapshot().putBytes;
  });
  statsCounter(registry, 'keel_get_bytes_total', 'Bytes of the records returned to pulls.', () => {
    return context.stats.snapshot().getBytes;
  });
  statsCounter(registry, 'keel_put_failures_total', 'Sends the store refused.', () => {
    return context.stats.snapshot().putFailures;
  });

  const latency = {
    send: new Histogram({
      name: 'keel_send_latency_seconds',
      help: 'Time from a send request to its answer, including the flush the broker waits for.',
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
    pull: new Histogram({
      name: 'keel_pull_latency_seconds',
      help: 'Time to read and answer a pull; the wait of a held long poll is not included.',
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
  };
  const stopObserving = context.stats.observeLatency((request, seconds) => latency[request].observe(seconds));

  // Gauges that can be unknown carry a label: prom-client shows an unlabelled gauge as 0 after a
  // reset, and "no series" is how Prometheus says unknown.
  new Gauge({
    name: 'keel_disk_used_ratio',
    help: 'Used fraction (0..1) of the fullest partition the store writes to (path); absent until first measured.',
    labelNames: ['path'],
    registers,
    collect() {
      this.reset();
      const status = context.store.retentionStatus();
      const ratio = status?.usedSpaceRatio;
      if (ratio !== undefined && Number.isFinite(ratio))
        this.set({ path: status?.usedSpacePath ?? '' }, ratio);
    },
  });
  new Gauge({
    name: 'keel_commitlog_bytes',
    help: 'Bytes of commit log kept (max offset minus min offset).',
    registers,
    collect() {
      const { min, max } = context.store.commitLogOffsets();
      this.set(Math.max(0, max - min));
    },
  });
  new Gauge({
    name: 'keel_consumer_lag_messages',
    help: "Messages not yet consumed by a group on a topic of this broker (queue max offset minus the group's offset).",
    labelNames: ['group', 'topic'],
    registers,
    collect() {
      this.reset();
      for (const { group, topic, lag } of consumerLags(context)) this.set({ group, topic }, lag);
    },
  });
  new Gauge({
    name: 'keel_half_messages',
    help: 'Open half messages: pending (waiting for END_TRANSACTION) and parked (given up after transactionCheckMax checks).',
    labelNames: ['state'],
    registers,
    collect() {
      const { pending, parked } = context.transactions.counters();
      this.set({ state: 'pending' }, pending);
      this.set({ state: 'parked' }, parked);
    },
  });
  new Gauge({
    name: 'keel_delayed_messages_pending',
    help: 'Messages parked on a delay level (delayed sends and retries) and not yet delivered.',
    labelNames: ['level'],
    registers,
    collect() {
      this.reset();
      for (const level of context.schedule.status().levels)
        this.set({ level: String(level.level) }, level.pending);
    },
  });
  new Gauge({
    name: 'keel_timed_messages_pending',
    help: 'Messages with a delivery time not yet delivered; 0 on a SLAVE, which runs no timer (its master delivers them).',
    registers,
    collect() {
      this.set(context.timer?.status().pendingMessages ?? 0);
    },
  });

  new Gauge({
    name: 'keel_replication_lag_bytes',
    help: 'Bytes of commit log not yet replicated: on a master (role="master") to its best connected slave, on a slave (role="slave") behind its master; absent when not known (no slave connected, master not heard from).',
    labelNames: ['role'],
    registers,
    collect() {
      this.reset();
      const status = context.replication.status();
      const lag = replicationLagBytes(status);
      if (lag !== undefined) this.set({ role: status.role === 'SLAVE' ? 'slave' : 'master' }, lag);
    },
  });

  return { registry, close: stopObserving };
}

/** A counter whose value is a running total kept elsewhere, read when scraped. */
function statsCounter(registry: Registry, name: string, help: string, total: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      // prom-client counters only go up by increments: restate the total kept by BrokerStats.
      this.reset();
      this.inc(total());
    },
  });
}

interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}

/**
 * Lag of every (group, topic) with committed offsets, over the topic's read queues (a queue the
 * group never committed on counts from 0), as GET_CONSUME_STATS reports it.
 */
export function consumerLags(context: BrokerContext): ConsumerLag[] {
  const lags: ConsumerLag[] = [];
  for (const key of Object.keys(context.offsets.toRocketMqJson().offsetTable)) {
    const separator = key.lastIndexOf('@');
    const topic = key.slice(0, separator);
    const group = key.slice(separator + 1);
    const config = context.topics.select(topic);
    if (separator < 0 || config === undefined) continue;
    let lag = 0;
    for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
      const committed = Math.max(0, context.offsets.query(group, topic, queueId) ?? 0);
      lag += Math.max(0, context.store.maxOffsetInQueue(topic, queueId) - committed);
    }
    lags.push({ group, topic, lag });
  }
  return lags;
}

/** The lag as the HA service knows it; undefined when it does not (yet). */
export function replicationLagBytes(status: ReplicationStatus): number | undefined {
  if (status.role === 'SLAVE') {
    const link = status.link;
    if (link === undefined || link.masterOffset < 0) return undefined;
    return Math.max(0, link.masterOffset - link.replicatedOffset);
  }
  if (status.slaves.length === 0 || status.slaveAckOffset < 0) return undefined;
  return Math.max(0, status.commitLogMaxOffset - status.slaveAckOffset);
}
