// Exactly one effect per message under duplicate deliveries: 250 messages, each delivered twice
// more while its first delivery runs (racing it for the inbox row) and twice more afterwards, two
// at a time — 1,000 duplicates in all, through the same path a broker redelivery takes.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { describeWithDatabase } from '@keel/test-support';
import { currentManager, OnMessage, publish, runInTransaction, type Delivered } from '@keel/tx';
import {
  deliverAgain,
  drain,
  duplicateEveryDelivery,
  recordDeliveries,
  testRuntimeTuning,
} from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

const MESSAGES = 250;
const suffix = randomUUID().slice(0, 8);
const topic = `dup-${suffix}`;

class Counter {
  invocations = 0;

  @OnMessage({ topic, group: `dup-counter-${suffix}` })
  async count(message: Delivered<{ id: string }>): Promise<void> {
    this.invocations += 1;
    await currentManager().insert(Note, { id: `effect-${message.body.id}`, text: message.msgId });
  }
}

describeWithDatabase('runtime: duplicate deliveries', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 24);
  });
  afterAll(() => dataSource?.destroy());

  it('1,000 duplicates, some concurrent, leave one effect per message', async () => {
    const counter = new Counter();
    const runtime = await suite.start({
      dataSource,
      producerGroup: `dup-${suffix}`,
      handlers: [counter],
      consumer: { ...testRuntimeTuning.consumer, consumeThreadMax: 16 },
    });
    const recorder = recordDeliveries(runtime);
    const stop = duplicateEveryDelivery(runtime, { copies: 2, concurrent: true });
    for (let i = 0; i < MESSAGES; i++) {
      await runInTransaction(dataSource, async () => {
        publish(topic, { id: `${suffix}-${i}` }, { key: `${suffix}-${i}` });
      });
    }
    const handled = await recorder.waitFor((event) => event.outcome === 'handled', MESSAGES, 30_000);
    await drain(runtime);
    stop();
    for (const event of handled) await deliverAgain(runtime, event.message!, { copies: 2 });

    const outcomes = recorder.events.reduce<Record<string, number>>((counts, event) => {
      counts[event.outcome] = (counts[event.outcome] ?? 0) + 1;
      return counts;
    }, {});
    expect(outcomes).toEqual({ handled: MESSAGES, duplicate: 4 * MESSAGES });
    expect(counter.invocations).toBe(MESSAGES);
    const effects = await db().query<{ n: string }>('SELECT count(*) AS n FROM note WHERE id LIKE $1', [
      `effect-${suffix}-%`,
    ]);
    expect(Number(effects[0]?.n)).toBe(MESSAGES);
  }, 60_000);
});
