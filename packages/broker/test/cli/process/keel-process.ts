// Real `keel` processes for end-to-end tests: spawns the built CLI (dist/cli/main.js, so
// `npm run build` must have run), collects its output, waits for lines in it and for its exit, and
// kills whatever a test leaves running.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { systemClock, type TimerHandle } from '../../../src/common/clock';
import { TimeoutError } from '../../../src/common/errors';
import { closeServer, listenOnEphemeralPort } from '../../../src/testing/servers';

export const KEEL_MAIN = join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

/** Throws with the fix when the CLI has not been built: the tests run the binary, not the sources. */
export function assertKeelBuilt(): void {
  if (!existsSync(KEEL_MAIN)) {
    throw new Error(`${KEEL_MAIN} is missing: run \`npm run build\` (or \`npx tsc -b\`) before these tests`);
  }
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class KeelProcess {
  readonly #child: ChildProcess;
  readonly #label: string;
  #output = '';
  #exit: ProcessExit | undefined;
  readonly #outputListeners = new Set<() => void>();
  /** Resolves once the process has exited and its stdout and stderr were read to the end. */
  readonly exited: Promise<ProcessExit>;

  constructor(label: string, args: readonly string[]) {
    this.#label = label;
    this.#child = spawn(process.execPath, [KEEL_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
      for (const listener of this.#outputListeners) listener();
    };
    this.#child.stdout?.on('data', collect);
    this.#child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': every line the process wrote has been collected by then.
      this.#child.on('close', (code, signal) => {
        this.#exit = { code, signal };
        for (const listener of this.#outputListeners) listener();
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    const { pid } = this.#child;
    if (pid === undefined) throw new Error(`${this.#label} did not start: ${this.#output}`);
    return pid;
  }

  /** stdout and stderr, interleaved as they arrived. */
  get output(): string {
    return this.#output;
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        systemClock.clearTimeout(timer);
        this.#outputListeners.delete(check);
        settle();
      };
      const check = () => {
        const match = pattern.exec(this.#output);
        if (match !== null) finish(() => resolve(match));
        else if (this.#exit !== undefined) {
          const exit = this.#exit;
          finish(() =>
            reject(
              new Error(
                `${this.#label} exited (${describeExit(exit)}) before printing ${pattern}:\n${this.#output}`,
              ),
            ),
          );
        }
      };
      const timer = systemClock.setTimeout(
        () =>
          finish(() =>
            reject(
              new TimeoutError(
                `waiting for ${this.#label} to print ${pattern}; output so far:\n${this.#output}`,
                timeoutMs,
              ),
            ),
          ),
        timeoutMs,
      );
      this.#outputListeners.add(check);
      check();
    });
  }

  /** The exit, or a TimeoutError naming the process and its output after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = systemClock.setTimeout(
        () =>
          reject(new TimeoutError(`waiting for ${this.#label} to exit; output:\n${this.#output}`, timeoutMs)),
        timeoutMs,
      );
    });
    return Promise.race([this.exited, timeout]).finally(() => {
      if (timer !== undefined) systemClock.clearTimeout(timer);
    });
  }

  /** SIGKILL unless already gone, then a bounded wait: for cleanup that must not hang a test run. */
  async kill(timeoutMs = 5000): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#child.kill('SIGKILL');
    await this.waitForExit(timeoutMs);
  }
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`;
}

/** Every process a test file spawns, so afterEach/afterAll can kill the ones still running. */
export class KeelProcesses {
  readonly #running = new Set<KeelProcess>();

  spawn(label: string, args: readonly string[]): KeelProcess {
    const started = new KeelProcess(label, args);
    this.#running.add(started);
    void started.exited.then(() => this.#running.delete(started));
    return started;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.#running].map((running) => running.kill()));
  }
}

/** The server's "ready" line (cli/serve.ts), printed once it listens and its pid file exists. */
export function readyLine(component: 'broker' | 'namesrv'): RegExp {
  return new RegExp(`\\[${component}\\] ready .*pid=(\\d+)`);
}

export const READY_TIMEOUT_MS = 10_000;

/** A free port for a name server; another process could take it before the server binds (rare). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnEphemeralPort(probe);
  await closeServer(probe);
  return port;
}

/** Writes a .properties file, one `key=value` per entry, and returns its path. */
export function writeProperties(path: string, entries: Readonly<Record<string, string | number>>): string {
  const lines = Object.entries(entries).map(([key, value]) => `${key}=${value}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
