// Fakes for running `keel` commands in-process: captured output, signals sent by the test, a
// recorded `kill`, launchers whose servers only count their close calls, and temp directories.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/common/fake-clock';
import type { Logger } from '../../src/common/logger';
import type { CliEnvironment } from '../../src/cli/cli-environment';
import type { CliIo } from '../../src/cli/command';
import type { ProcessControl, ShutdownSignal, SignalSource } from '../../src/cli/process-control';
import type { RunningServer, ServerLaunchers } from '../../src/cli/server-launchers';
import type { NameServerConfig } from '../../src/namesrv/namesrv-config';
import type { BrokerConfig } from '../../src/server/broker-config';
import type { HostFacts } from '../../src/server/config/host-facts';

export interface CapturedIo extends CliIo {
  readonly outLines: string[];
  readonly errLines: string[];
  readonly errText: () => string;
  /** Resolves with the first stderr line (already written or to come) that matches. */
  readonly nextErrLine: (pattern: RegExp) => Promise<string>;
}

export function captureIo(): CapturedIo {
  const outLines: string[] = [];
  const errLines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  return {
    outLines,
    errLines,
    out: (line) => outLines.push(line),
    err: (line) => {
      errLines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
    errText: () => errLines.join('\n'),
    nextErrLine: (pattern) => {
      const written = errLines.find((line) => pattern.test(line));
      if (written !== undefined) return Promise.resolve(written);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

export class FakeSignals implements SignalSource {
  readonly #handlers = new Set<(signal: ShutdownSignal) => void>();

  subscribe(handler: (signal: ShutdownSignal) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  get subscribers(): number {
    return this.#handlers.size;
  }

  send(signal: ShutdownSignal): void {
    for (const handler of [...this.#handlers]) handler(signal);
  }
}

export class FakeProcesses implements ProcessControl {
  readonly pid = 4242;
  readonly sent: { pid: number; signal: ShutdownSignal }[] = [];
  readonly alive = new Set<number>();

  sendSignal(pid: number, signal: ShutdownSignal): boolean {
    if (!this.alive.has(pid)) return false;
    this.sent.push({ pid, signal });
    return true;
  }
}

/** A server whose close can be held open by the test, to signal again in the middle of it. */
export class FakeServer implements RunningServer {
  readonly description = 'fake server';
  readonly closeReasons: string[] = [];
  #finishClose: (() => void) | undefined;
  #holdClose = false;

  holdCloseOpen(): void {
    this.#holdClose = true;
  }

  close(reason: string): Promise<void> {
    this.closeReasons.push(reason);
    if (!this.#holdClose) return Promise.resolve();
    return new Promise((resolve) => (this.#finishClose = resolve));
  }

  finishClose(): void {
    this.#finishClose?.();
  }
}

export class FakeLaunchers implements ServerLaunchers {
  readonly server = new FakeServer();
  readonly brokerConfigs: BrokerConfig[] = [];
  readonly nameServerConfigs: NameServerConfig[] = [];
  /** Resolves once a server has been started, so a test can signal it. */
  readonly started: Promise<void>;
  #markStarted!: () => void;
  failWith: Error | undefined;

  constructor() {
    this.started = new Promise((resolve) => (this.#markStarted = resolve));
  }

  startBroker(config: BrokerConfig, _log: Logger): Promise<RunningServer> {
    this.brokerConfigs.push(config);
    return this.#start();
  }

  startNameServer(config: NameServerConfig, _log: Logger): Promise<RunningServer> {
    this.nameServerConfigs.push(config);
    return this.#start();
  }

  #start(): Promise<RunningServer> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.#markStarted();
    return Promise.resolve(this.server);
  }
}

export interface TestCli {
  readonly env: CliEnvironment;
  readonly launchers: FakeLaunchers;
  readonly signals: FakeSignals;
  readonly processes: FakeProcesses;
  readonly host: HostFacts;
  readonly dir: string;
  readonly io: CapturedIo;
  /** Writes a file in the temp dir, returning its path. */
  file(name: string, lines: readonly string[]): string;
  /** The temp dir's entries, recursively, for "nothing was created" checks. */
  listDir(): string[];
  cleanup(): void;
}

export function createTestCli(): TestCli {
  const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
  const launchers = new FakeLaunchers();
  const signals = new FakeSignals();
  const processes = new FakeProcesses();
  const host: HostFacts = {
    hostname: 'test-host',
    homeDir: join(dir, 'home'),
    firstExternalIPv4: '10.1.2.3',
  };
  return {
    env: { launchers, clock: new FakeClock(), signals, processes, host },
    launchers,
    signals,
    processes,
    host,
    dir,
    io: captureIo(),
    file(name, lines) {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n'));
      return path;
    },
    listDir: () => readdirSync(dir, { recursive: true }).map(String).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
