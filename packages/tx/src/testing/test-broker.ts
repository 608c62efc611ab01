// An in-process name server and broker on a temporary directory, for application developers'
// tests of code built on @keel/tx:
//
//   const broker = await startTestBroker();
//   const runtime = await KeelRuntime.start({ ..., nameServer: broker.nameServer, ...testRuntimeTuning });
//   ...
//   await broker.restart();   // the same data and port: a broker restart as operators do it
//   await broker.stop();      // and the directory is removed
//
// Defaults are chosen for fast tests: check-backs after 1 s (transactionTimeOut and
// transactionCheckInterval 1000 ms), every delay level 1 s (so retries come after about a second),
// 4 queues per auto-created topic. Pass `broker` overrides for anything else.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProperties, silentLogger, systemClock, type Logger } from '@keel/broker';
import {
  Broker,
  NameServer,
  NodeDisk,
  resolveBrokerConfig,
  type BrokerConfigOverrides,
} from '@keel/broker/internal';
import { findFreeBrokerPort } from '@keel/broker/testing';

export interface TestBrokerOptions {
  /** Broker settings over the test defaults (see the top of this file). */
  readonly broker?: BrokerConfigOverrides;
  /** Where the servers log. Default: nowhere. */
  readonly logger?: Logger;
  /** Data directory. Default: a new temporary one, removed by stop(). */
  readonly dir?: string;
}

export interface TestBroker {
  /** `127.0.0.1:<port>` of the name server: KeelRuntime's `nameServer`. */
  readonly nameServer: string;
  /** `127.0.0.1:<port>` of the broker. */
  readonly brokerAddress: string;
  readonly dir: string;
  /** Stops the broker and starts it again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops both servers and removes the directory (unless it was given). */
  stop(): Promise<void>;
}

const FAST_DELAY_LEVELS = Array.from({ length: 18 }, () => '1s').join(' ');

export const TEST_BROKER_DEFAULTS = {
  transactionTimeOut: 1000,
  transactionCheckInterval: 1000,
  messageDelayLevel: FAST_DELAY_LEVELS,
  defaultTopicQueueNums: 4,
} as const satisfies BrokerConfigOverrides;

export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keel-test-broker-'));
  const removeDir = async () => {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  const log = options.logger ?? silentLogger;
  const disk = new NodeDisk();
  let nameServer: NameServer;
  try {
    nameServer = await NameServer.start({
      listenPort: 0,
      host: '127.0.0.1',
      kvConfigPath: join(dir, 'namesrv', 'kvConfig.json'),
      orderMessageEnable: false,
      scanNotActiveBrokerIntervalMs: 10_000,
      brokerChannelExpiredTimeMs: 120_000,
      clock: systemClock,
      disk,
      log,
    });
  } catch (error: unknown) {
    return failWith(error, [removeDir]);
  }
  const closeNameServer = () => nameServer.close();
  let broker: Broker | undefined;
  let startBroker: () => Promise<Broker>;
  try {
    const config = resolveBrokerConfig(parseProperties(''), {
      brokerName: 'test-broker',
      brokerIP1: '127.0.0.1',
      listenPort: await findFreeBrokerPort(),
      namesrvAddr: nameServer.address,
      storePathRootDir: join(dir, 'broker'),
      // Small files: a test writes little, and creating 1 GiB segments would take seconds.
      mappedFileSizeCommitLog: 16 * 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 10_000,
      ...TEST_BROKER_DEFAULTS,
      ...options.broker,
    });
    startBroker = () => Broker.start({ config, log, clock: systemClock, disk, bindAddress: '127.0.0.1' });
    broker = await startBroker();
  } catch (error: unknown) {
    return failWith(error, [closeNameServer, removeDir]);
  }
  const brokerAddress = broker.address;
  return {
    nameServer: nameServer.address,
    brokerAddress,
    dir,
    async restart() {
      await broker?.close('test broker restart');
      broker = undefined;
      broker = await startBroker();
    },
    async stop() {
      const running = broker;
      broker = undefined;
      // Each step runs even when one before it failed, so nothing is left behind.
      await runAll(
        [
          async () => {
            await running?.close('test broker stop');
          },
          closeNameServer,
          removeDir,
        ],
        'stopping the test broker',
      );
    },
  };
}

/** Runs every step even when one fails, then throws what failed (collected by `throwFailures`). */
async function runAll(steps: readonly (() => Promise<void>)[], description: string): Promise<void> {
  throwFailures(await failuresOf(steps), description);
}

/** Undoes what a failed start did, then throws the start's error (with any undo failure). */
async function failWith(error: unknown, undo: readonly (() => Promise<void>)[]): Promise<never> {
  throwFailures([error, ...(await failuresOf(undo))], 'startTestBroker failed, and so did undoing it');
  throw error;
}

async function failuresOf(steps: readonly (() => Promise<void>)[]): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error: unknown) {
      failures.push(error);
    }
  }
  return failures;
}

/** One failure is thrown as is; several as an AggregateError whose cause is the first. */
function throwFailures(failures: readonly unknown[], description: string): void {
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, `${description}: ${failures.length} steps failed`, {
      cause: failures[0],
    });
  }
}
