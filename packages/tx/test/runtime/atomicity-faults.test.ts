// Atomicity under injected failures at every step of sending (see transaction-steps.ts): over
// 1,000 randomized transactions — some failing before the half message, after it, just before the
// COMMIT, or after the COMMIT with END_TRANSACTION lost (the check-back must commit those), some
// failing in the method itself — a message is delivered if and only if its database transaction
// committed, and its handler ran exactly once for it (counted per message: a second run would
// otherwise hide behind the effect row's primary key and the inbox on retry).

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { sleep, systemClock } from '@keel/broker';
import { describeWithDatabase, type TestDatabase } from '@keel/test-support';
import {
  currentManager,
  currentTransaction,
  OnMessage,
  publish,
  Transactional,
  type Delivered,
} from '@keel/tx';
import {
  drain,
  injectFaults,
  recordDeliveries,
  testRuntimeTuning,
  type TransactionStep,
} from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

const TRANSACTIONS = 1_000;
const CONCURRENCY = 16;
type Fate = 'commit' | 'method-fails' | TransactionStep;
const FATES: readonly Fate[] = [
  'commit',
  'commit',
  'method-fails',
  'before-half',
  'after-half',
  'before-commit',
  'after-commit',
];

/** A small seeded generator, so a failing run can be repeated (the seed is in the test name). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SEED = Number(process.env['KEEL_TX_SEED'] ?? Date.now() % 100_000);
const suffix = randomUUID().slice(0, 8);
const topic = `atomic-${suffix}`;

class Ledger {
  /** Fate by Keel transaction id, which is what the fault hooks see. */
  readonly fateOfTransaction = new Map<string, Fate>();

  @Transactional()
  async record(id: string, fate: Fate): Promise<void> {
    this.fateOfTransaction.set(currentTransaction().id, fate);
    await currentManager().insert(Note, { id, text: fate });
    publish(topic, { id }, { key: id, headers: { fate } });
    if (fate === 'method-fails') throw new Error(`method of ${id} fails`);
  }
}

class Auditor {
  /** Handler runs by message id, failed ones included. */
  readonly runs = new Map<string, number>();

  @OnMessage({ topic, group: `auditor-${suffix}` })
  async audit(message: Delivered<{ id: string }>): Promise<void> {
    const { id } = message.body;
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    await currentManager().insert(Note, { id: `audited-${id}`, text: message.msgId });
  }
}

describeWithDatabase(
  `runtime: atomicity under injected faults (seed ${SEED})`,
  { needs: 'concurrency' },
  (db) => {
    const suite = runtimeSuite();
    let dataSource: DataSource;

    beforeAll(async () => {
      dataSource = await openTxDataSource(db(), 24);
    });
    afterAll(() => dataSource?.destroy());

    it('delivers a message if and only if its transaction committed, once', async () => {
      const ledger = new Ledger();
      const auditor = new Auditor();
      const runtime = await suite.start({
        dataSource,
        producerGroup: `ledger-${suffix}`,
        services: [ledger],
        handlers: [auditor],
        checkLockTimeoutMs: 500,
        consumer: { ...testRuntimeTuning.consumer, consumeThreadMax: 16 },
      });
      const recorder = recordDeliveries(runtime);
      const next = random(SEED);
      const fates = new Map<string, Fate>();
      const faults = injectFaults(runtime);
      for (const step of ['before-half', 'after-half', 'before-commit', 'after-commit'] as const) {
        faults.failAt(step, {
          times: Infinity,
          when: (info) => ledger.fateOfTransaction.get(info.transactionId) === step,
        });
      }

      const ids = Array.from({ length: TRANSACTIONS }, (_, i) => `${suffix}-${String(i).padStart(4, '0')}`);
      for (const id of ids) fates.set(id, FATES[Math.floor(next() * FATES.length)]!);
      const outcomes = { committed: 0, failed: 0 };
      const failures: unknown[] = [];
      let cursor = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (cursor < ids.length) {
            const id = ids[cursor++]!;
            const fate = fates.get(id)!;
            try {
              await ledger.record(id, fate);
              outcomes.committed += 1;
            } catch (error: unknown) {
              // Expected for every fate but commit and after-commit; the assertions below check which.
              outcomes.failed += 1;
              failures.push(error);
            }
          }
        }),
      );

      const committed = await committedIds(db, suffix);
      const expected = ids.filter((id) => ['commit', 'after-commit'].includes(fates.get(id)!));
      expect(committed).toEqual(expected);
      expect(outcomes.committed).toBe(expected.length);
      // Each failure is the injected fault or the method's own error, passed through unchanged.
      for (const failure of failures) {
        expect(String((failure as Error).message)).toMatch(
          /^(injected fault at (before-half|after-half|before-commit)|method of .* fails)/,
        );
      }

      // Deliveries whose END_TRANSACTION was lost come through the check-back, a second or two later.
      const deadline = systemClock.now() + 30_000;
      while ((await auditedIds(db, suffix)).length < committed.length && systemClock.now() < deadline) {
        await sleep(systemClock, 200);
      }
      // Rolled-back halves that a broken check could still commit would show up within two rounds.
      await sleep(systemClock, 2_000);
      await drain(runtime);
      expect(await auditedIds(db, suffix)).toEqual(committed);
      // One run and one handled delivery per committed message, and nothing else (sorted here, not
      // by the database's collation).
      const sortedCommitted = [...committed].sort();
      expect([...auditor.runs.keys()].sort()).toEqual(sortedCommitted);
      expect([...auditor.runs.values()].filter((runs) => runs !== 1)).toEqual([]);
      const handled = recorder.events
        .filter((event) => event.outcome === 'handled')
        .map((event) => (event.message?.body as { id: string }).id)
        .sort();
      expect(handled).toEqual(sortedCommitted);
      expect(recorder.events.filter((event) => event.outcome === 'failed')).toEqual([]);
      faults.clear();
    }, 90_000);
  },
);

async function committedIds(db: () => TestDatabase, tag: string): Promise<string[]> {
  const rows = await db().query<{ id: string }>(`SELECT id FROM note WHERE id LIKE $1 ORDER BY id`, [
    `${tag}-%`,
  ]);
  return rows.map((row) => row.id);
}

async function auditedIds(db: () => TestDatabase, tag: string): Promise<string[]> {
  const rows = await db().query<{ id: string }>(`SELECT id FROM note WHERE id LIKE $1 ORDER BY id`, [
    `audited-${tag}-%`,
  ]);
  return rows.map((row) => row.id.slice('audited-'.length));
}
