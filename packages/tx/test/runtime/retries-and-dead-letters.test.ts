// Retries and dead letters on a real broker (every delay level 1 s in the test broker): a failing
// handler runs exactly 1 + maxRetries times and its message then reaches the group's DLQ and the
// @OnDeadLetter receiver; NonRetriableError (or the nonRetriable predicate) skips the retries;
// orderly handlers retry in place and dead-letter the same way; a handler that recovers has one
// effect.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AdminClient } from '@keel/broker/client';
import { describeWithDatabase } from '@keel/test-support';
import {
  currentManager,
  NonRetriableError,
  OnDeadLetter,
  OnMessage,
  publish,
  Transactional,
  type Delivered,
  type KeelRuntime,
} from '@keel/tx';
import { drain, recordDeliveries } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

class ValidationFailed extends Error {}

function defineServices(orderly: boolean) {
  const suffix = randomUUID().slice(0, 8);
  const topic = `jobs-${suffix}`;
  const group = `workers-${suffix}`;

  class Jobs {
    @Transactional()
    async submit(id: string, kind: string): Promise<void> {
      publish(topic, { id, kind }, { key: id, shardingKey: id });
    }
  }

  class Workers {
    readonly attempts = new Map<string, number[]>();
    readonly brokerCounts: number[] = [];
    readonly deadLetters: Delivered<{ id: string; kind: string }>[] = [];

    @OnMessage({
      topic,
      group,
      orderly,
      maxRetries: 2,
      nonRetriable: (error) => error instanceof ValidationFailed,
    })
    async work(message: Delivered<{ id: string; kind: string }>): Promise<void> {
      const { id, kind } = message.body;
      const seen = this.attempts.get(kind) ?? [];
      seen.push(message.reconsumeTimes);
      this.brokerCounts.push(message.raw.reconsumeTimes);
      this.attempts.set(kind, seen);
      await currentManager().insert(Note, { id: `${id}-${seen.length}`, text: kind });
      if (kind === 'always-fails') throw new Error('still broken');
      if (kind === 'non-retriable') throw new NonRetriableError('bad input');
      if (kind === 'predicate') throw new ValidationFailed('invalid');
      if (kind === 'fails-once' && seen.length === 1) throw new Error('transient');
    }

    @OnDeadLetter({ group })
    async parked(message: Delivered<{ id: string; kind: string }>): Promise<void> {
      this.deadLetters.push(message);
    }
  }
  return { topic, group, suffix, Jobs, Workers };
}

describeWithDatabase('runtime: retries and dead letters', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 12);
  });
  afterAll(() => dataSource?.destroy());

  async function start(orderly: boolean) {
    const defined = defineServices(orderly);
    const jobs = new defined.Jobs();
    const workers = new defined.Workers();
    const runtime = await suite.start({
      dataSource,
      producerGroup: `jobs-${randomUUID().slice(0, 8)}`,
      services: [jobs],
      handlers: [workers],
    });
    return { ...defined, jobs, workers, runtime };
  }

  async function runScenario(
    runtime: KeelRuntime,
    jobs: { submit(id: string, kind: string): Promise<void> },
    suffix: string,
  ) {
    const recorder = recordDeliveries(runtime);
    for (const kind of ['always-fails', 'non-retriable', 'predicate', 'fails-once', 'fine']) {
      await jobs.submit(`${kind}-${suffix}`, kind);
    }
    await recorder.waitFor((event) => event.kind === 'dead-letter' && event.outcome === 'handled', 3, 20_000);
    await recorder.waitFor(
      (event) => event.message?.body !== undefined && event.outcome === 'handled',
      5,
      20_000,
    );
    // Long enough for one more retry (1 s in the test broker) to show up if any were still due.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await drain(runtime);
    return recorder;
  }

  it.each([
    ['concurrent', false],
    ['orderly', true],
  ])(
    '%s: 1 + maxRetries attempts, then the DLQ and @OnDeadLetter; non-retriable errors skip retries',
    async (_mode, orderly) => {
      const { jobs, workers, runtime, group, suffix, topic } = await start(orderly);
      const recorder = await runScenario(runtime, jobs, suffix);
      const attempts = Object.fromEntries(workers.attempts);
      // Delivered.reconsumeTimes counts the failed deliveries before each one, also for orderly
      // handlers, whose retries happen in place (the broker's own count, raw.reconsumeTimes, stays 0).
      expect(attempts).toEqual({
        'always-fails': [0, 1, 2],
        'non-retriable': [0],
        predicate: [0],
        'fails-once': [0, 1],
        fine: [0],
      });
      if (orderly) expect(new Set(workers.brokerCounts)).toEqual(new Set([0]));
      expect(workers.deadLetters.map((m) => m.body.kind).sort()).toEqual([
        'always-fails',
        'non-retriable',
        'predicate',
      ]);
      for (const dead of workers.deadLetters) expect(dead.keys).toEqual([dead.body.id]);
      // Failed attempts rolled back their writes; the successful ones committed once.
      const notes = await db().query<{ id: string; text: string }>(
        `SELECT id, text FROM note WHERE id LIKE $1 ORDER BY id`,
        [`%-${suffix}-%`],
      );
      expect(notes).toEqual([
        { id: `fails-once-${suffix}-2`, text: 'fails-once' },
        { id: `fine-${suffix}-1`, text: 'fine' },
      ]);
      // The DLQ holds exactly those three, under their original topic.
      const admin = new AdminClient({ nameServer: suite.broker().nameServer });
      try {
        const dead = await admin.dlqList(group);
        expect(dead.map((d) => `${d.originalTopic} ${d.message.keys[0] ?? ''}`).sort()).toEqual([
          `${topic} always-fails-${suffix}`,
          `${topic} non-retriable-${suffix}`,
          `${topic} predicate-${suffix}`,
        ]);
      } finally {
        await admin.close();
      }
      const failed = recorder.events.filter((event) => event.outcome === 'failed' && event.group === group);
      expect(
        failed
          .filter((event) => event.next === 'dead-letter')
          .map((e) => e.message?.keys[0])
          .sort(),
      ).toEqual([`always-fails-${suffix}`, `non-retriable-${suffix}`, `predicate-${suffix}`]);
    },
  );
});
