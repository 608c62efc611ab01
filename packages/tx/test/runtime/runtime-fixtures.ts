// Shared pieces of the runtime suites: one in-process broker per suite, runtimes that are shut down
// after each test, and a logger whose lines a failing test can print.

import { createLogger, systemClock, type Logger } from '@keel/broker';
import { KeelRuntime, type KeelRuntimeOptions } from '@keel/tx';
import { startTestBroker, testRuntimeTuning, type TestBroker } from '@keel/tx/testing';

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
}

/** A logger at debug level that keeps its lines (KEEL_TEST_LOG=1 also prints them). */
export function captureLog(component = 'keel-tx'): CapturedLog {
  const lines: string[] = [];
  const print = process.env['KEEL_TEST_LOG'] === '1';
  const logger = createLogger({
    clock: systemClock,
    component,
    level: 'debug',
    sink: (line) => {
      lines.push(line);
      if (print) process.stderr.write(`${line}\n`);
    },
  });
  return { logger, lines };
}

export interface RuntimeSuite {
  broker(): TestBroker;
  /** Starts a runtime with the test tuning and a captured log; shut down after the test. */
  start(options: Omit<KeelRuntimeOptions, 'nameServer'> & { nameServer?: string }): Promise<KeelRuntime>;
}

/** Registers beforeAll/afterAll/afterEach hooks for a broker and the test's runtimes. */
export function runtimeSuite(): RuntimeSuite {
  let broker: TestBroker | undefined;
  const running: KeelRuntime[] = [];
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterEach(async () => {
    for (const runtime of running.splice(0).reverse()) await runtime.shutdown();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  return {
    broker: () => {
      if (broker === undefined) throw new Error('the suite broker is not started yet');
      return broker;
    },
    async start(options) {
      const runtime = await KeelRuntime.start({
        ...testRuntimeTuning,
        logger: captureLog().logger,
        nameServer: broker!.nameServer,
        ...options,
      });
      running.push(runtime);
      return runtime;
    },
  };
}
