// A scenario run that cannot go on ends by itself, at once, and stops everything it started.
//
// What once timed out a CI run: the order service's schema vanished mid-run (a concurrent test
// run's sweep dropped it), so its restart failed and the API answered 503 to every request from
// then on; each of the ~150 requests left retried for a minute before giving up, the run outlived
// the test, and nothing stopped its broker. Now a failed fault stops the requests and the run, and
// an aborted run (what a test does when it ends first) stops its system before rejecting.

import 'reflect-metadata';
import { join } from 'node:path';
import { systemClock } from '@keel/broker';
import { describeWithDatabase } from '@keel/test-support';
import type { ScheduledFault } from '../../src/scenario/fault-schedule';
import { runScenario, type ScenarioResult, type ScenarioRunOptions } from '../../src/scenario/run-scenario';
import { cleanUpAll, exampleDatabases, quietLogger, type ExampleDatabases } from '../example-fixtures';

describeWithDatabase('a scenario run that cannot go on', { needs: 'postgres' }, (db) => {
  let databases: ExampleDatabases;
  const abort = new AbortController();
  const runs: Promise<ScenarioResult>[] = [];

  beforeAll(() => {
    databases = exampleDatabases(db());
  });
  afterAll(async () => {
    abort.abort(new Error('the test ended before the scenario did'));
    await cleanUpAll([
      ...runs.map((run) => async () => (await run.catch(() => undefined))?.system.stop()),
      async () => databases?.cleanUp(),
    ]);
  }, 30_000);

  /** Starts a run of 120 orders with only `schedule`'s faults; the output is kept in `output`. */
  function start(
    name: string,
    schedule: readonly ScheduledFault[],
    output: string[],
    stop: AbortSignal = abort.signal,
  ): Promise<ScenarioResult> {
    const options: ScenarioRunOptions = {
      orders: 120,
      users: 10,
      seed: 5,
      faults: true,
      schedule,
      concurrency: 4,
      settleTimeoutMs: 20_000,
      port: 0,
      dataDir: join(databases.dataDir, name),
      database: databases.target,
      clock: systemClock,
      logger: quietLogger().logger,
      signal: AbortSignal.any([abort.signal, stop]),
      out: { write: (text) => output.push(text) },
    };
    const run = runScenario(options);
    runs.push(run);
    return run;
  }

  /** The API's URL, from the run's first line. */
  function apiUrlOf(output: readonly string[]): string {
    const url = /API at (http:\/\/\S+)/.exec(output.join(''))?.[1];
    if (url === undefined) throw new Error(`no API URL in the output:\n${output.join('')}`);
    return url;
  }

  it('stops at once when a fault fails, names the fault, and stops the system', async () => {
    const schema = `${databases.target.kind === 'postgres' ? databases.target.schemaPrefix : ''}_order`;
    const output: string[] = [];
    const lostDatabase: ScheduledFault = {
      atFraction: 0.2,
      name: 'order service restart without its database',
      inject: async (target) => {
        // Renamed away and back rather than dropped: the restart fails the same way, and the
        // schema stays for the suite's clean-up.
        await db().query(`ALTER SCHEMA ${schema} RENAME TO ${schema}_away`);
        try {
          await target.restartOrderService(0);
        } finally {
          await db().query(`ALTER SCHEMA ${schema}_away RENAME TO ${schema}`);
        }
        return 'restarted';
      },
    };
    const started = Date.now();

    const failed = await start('fault-fails', [lostDatabase], output).catch((error: unknown) => error);

    // Before, the ~95 requests left each retried their 503s for a minute: half an hour.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(failed).toMatchObject({
      code: 'FAULT_FAILED',
      message: expect.stringContaining('fault "order service restart without its database" failed'),
    });
    expect(output.join('')).toContain('⚡ order service restart without its database failed:');
    await expect(fetch(`${apiUrlOf(output)}/products/MUG`)).rejects.toThrow();
  }, 60_000);

  it('an aborted run stops its system and rejects with the reason', async () => {
    const output: string[] = [];
    const stopper = new AbortController();
    const stopsTheRun: ScheduledFault = {
      atFraction: 0.1,
      name: 'the test aborts the run',
      inject: async () => {
        stopper.abort(new Error('aborted by the test'));
        return 'aborted';
      },
    };
    const started = Date.now();
    const run = start('aborted', [stopsTheRun], output, stopper.signal);

    await expect(run).rejects.toThrow('aborted by the test');
    expect(Date.now() - started).toBeLessThan(20_000);
    await expect(fetch(`${apiUrlOf(output)}/products/MUG`)).rejects.toThrow();
  }, 60_000);
});
