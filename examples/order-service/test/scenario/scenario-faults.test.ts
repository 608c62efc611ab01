// The scenario `npm run example` runs, on PostgreSQL, with every fault on and fewer orders: every
// invariant must hold, and the faults must really have happened (a run whose faults silently did
// nothing would prove nothing).
//
// Whatever happens (an assertion, a thrown error, jest's timeout), afterAll aborts the run and
// waits for it: an aborted run stops its system, so no broker is left writing into the removed
// data directory and jest can exit.

import 'reflect-metadata';
import { systemClock } from '@keel/broker';
import { describeWithDatabase } from '@keel/test-support';
import { allHold, formatReport } from '../../src/scenario/report';
import { runScenario, type ScenarioResult } from '../../src/scenario/run-scenario';
import { cleanUpAll, exampleDatabases, quietLogger, type ExampleDatabases } from '../example-fixtures';

describeWithDatabase('the example scenario with faults', { needs: 'postgres' }, (db) => {
  let databases: ExampleDatabases;
  const abort = new AbortController();
  let run: Promise<ScenarioResult> | undefined;

  beforeAll(() => {
    databases = exampleDatabases(db());
  });
  afterAll(async () => {
    abort.abort(new Error('the test ended before the scenario did'));
    await cleanUpAll([
      // A run that failed or was aborted has stopped its system; one that finished is stopped here.
      async () => (await run?.catch(() => undefined))?.system.stop(),
      async () => databases?.cleanUp(),
    ]);
  }, 30_000);

  it('keeps every invariant through crashes, duplicates, lost END_TRANSACTIONs and a broker restart', async () => {
    const output: string[] = [];
    run = runScenario({
      orders: 200,
      users: 20,
      seed: 42,
      faults: true,
      concurrency: 4,
      settleTimeoutMs: 40_000,
      // A healthy run answers every request within a few seconds of retries, even under load. A
      // request unanswered for 20 s means the system is down; giving up then (instead of after
      // the default minute) lets a broken run end with its report, settle wait included, inside
      // the test's 90 s rather than by jest's timeout.
      requestGiveUpMs: 20_000,
      signal: abort.signal,
      port: 0,
      dataDir: databases.dataDir,
      database: databases.target,
      clock: systemClock,
      logger: quietLogger().logger,
      out: { write: (text) => output.push(text) },
    });
    const { report, system } = await run;
    await system.stop();

    // On failure, the whole report says which invariant broke and how.
    expect({ holds: allHold(report.verdicts), report: formatReport(report) }).toMatchObject({ holds: true });
    expect(report.statuses.PENDING_PAYMENT).toBe(0);
    expect(report.statuses.PAID).toBeGreaterThan(100);
    expect(report.statuses.CANCELLED).toBeGreaterThan(0);

    expect(report.faults.map((fault) => fault.name)).toEqual([
      'order service dies between COMMIT and END_TRANSACTION',
      'payment service crash and restart',
      'duplicate deliveries',
      'broker restart',
      'order service (and shipping) crash and restart',
      'payments failing before their commit',
    ]);
    // The five lost END_TRANSACTIONs were settled by check-backs answered from the barrier rows.
    expect(report.checkBacks.order).toBeGreaterThanOrEqual(5);
    const duplicates = [...report.deliveries.values()].reduce(
      (total, counts) => total + counts.duplicates,
      0,
    );
    expect(duplicates).toBeGreaterThan(0);
    expect(output.join('')).toContain('requests 200/200');
  }, 90_000);
});
