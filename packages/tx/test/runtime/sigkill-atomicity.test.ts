// Atomicity across SIGKILL of the producing process: child processes (process/sigkill-producer.js,
// on the built packages) run transactions that insert a note and publish a message, and are killed
// at random moments — in the middle of half sends, COMMITs and END_TRANSACTIONs — until over 1,000
// transactions have committed. This process runs a runtime of the same producer group, which
// answers the broker's check-backs for whatever the dead children left open, and the handler.
// In the end: a message is delivered if and only if its transaction committed, and its handler ran
// exactly once for it (counted per message, not inferred from the effect row's primary key).

import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, systemClock } from '@keel/broker';
import { describeWithDatabase } from '@keel/test-support';
import { currentManager, OnMessage, type Delivered } from '@keel/tx';
import { drain, recordDeliveries } from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { Note, openTxDataSource } from '../tx-fixtures';
import { runtimeSuite } from './runtime-fixtures';

const CHILD = join(__dirname, 'process', 'sigkill-producer.js');
const BUILT = join(__dirname, '..', '..', 'dist', 'runtime', 'keel-runtime.js');
const MIN_COMMITTED = 1_000;

const suffix = randomUUID().slice(0, 8);
const topic = `killed-${suffix}`;

class Auditor {
  /** Handler runs by message id, failed ones included. */
  readonly runs = new Map<string, number>();

  @OnMessage({ topic, group: `killed-auditor-${suffix}` })
  async audit(message: Delivered<{ id: string }>): Promise<void> {
    const { id } = message.body;
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    await currentManager().insert(Note, { id: `audited-${id}`, text: message.msgId });
  }
}

interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  output: string;
}

function spawnProducer(config: Record<string, unknown>): Child {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, KEEL_SIGKILL_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle: Child = {
    process: child,
    output: '',
    ready: new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        handle.output += chunk.toString();
        if (handle.output.includes('ready\n')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('close', (code, signal) =>
        reject(new Error(`producer exited (${code ?? signal}) before it was ready:\n${handle.output}`)),
      );
    }),
    exited: new Promise((resolve) => child.on('close', () => resolve())),
  };
  return handle;
}

describeWithDatabase('runtime: atomicity across SIGKILL of the producer', { needs: 'concurrency' }, (db) => {
  const suite = runtimeSuite();
  let dataSource: DataSource;

  beforeAll(async () => {
    if (!existsSync(BUILT)) {
      throw new Error(
        `${BUILT} is missing: run \`npx tsc -b\` first (the child process runs the built packages)`,
      );
    }
    dataSource = await openTxDataSource(db(), 12);
  });
  afterAll(() => dataSource?.destroy());

  const count = async (pattern: string) =>
    Number(
      (await db().query<{ n: string }>('SELECT count(*) AS n FROM note WHERE id LIKE $1', [pattern]))[0]?.n,
    );

  it('delivers exactly the committed transactions after random kills', async () => {
    const producerGroup = `killed-${suffix}`;
    const auditor = new Auditor();
    const runtime = await suite.start({
      dataSource,
      producerGroup,
      handlers: [auditor],
      checkLockTimeoutMs: 500,
    });
    const recorder = recordDeliveries(runtime);
    const pg = db().pgConfig();
    let kills = 0;
    for (let run = 0; (await count(`${suffix}-%`)) < MIN_COMMITTED || kills < 3; run++) {
      const child = spawnProducer({
        connectionString: pg.connectionString,
        options: pg.options,
        schema: db().schema,
        nameServer: suite.broker().nameServer,
        producerGroup,
        topic,
        prefix: `${suffix}-r${run}`,
        concurrency: 8,
      });
      await child.ready;
      // A random moment within the busy phase: sends, commits and END_TRANSACTIONs all in flight.
      await sleep(systemClock, 150 + Math.floor(Math.random() * 600));
      child.process.kill('SIGKILL');
      await child.exited;
      kills += 1;
    }
    const committed = (
      await db().query<{ id: string }>(
        `SELECT id FROM note WHERE id LIKE $1 AND text = 'commits' ORDER BY id`,
        [`${suffix}-%`],
      )
    ).map((row) => row.id);
    // Nothing of a failed method commits.
    expect(await count(`${suffix}-%`)).toBe(committed.length);
    expect(committed.length).toBeGreaterThanOrEqual(MIN_COMMITTED);

    const audited = async () =>
      (
        await db().query<{ id: string }>('SELECT id FROM note WHERE id LIKE $1 ORDER BY id', [
          `audited-${suffix}-%`,
        ])
      ).map((row) => row.id.slice('audited-'.length));
    // Halves left open by a killed child are settled by this process's check-backs (1 s rounds).
    const deadline = systemClock.now() + 45_000;
    while ((await audited()).length < committed.length && systemClock.now() < deadline) {
      await sleep(systemClock, 250);
    }
    await sleep(systemClock, 2_000);
    await drain(runtime);
    expect(await audited()).toEqual(committed);
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
    expect(runtime.producer.stats.checksAnswered).toBeGreaterThan(0);
  }, 120_000);
});
