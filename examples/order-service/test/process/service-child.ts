// A service of the example run as a child process (the built dist/ entry), for tests that SIGKILL
// it: collects its output, waits for its ready line, and kills it if a test leaves it running.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@keel/broker/testing';

const DIST = join(__dirname, '..', '..', 'dist');

export function serviceEntry(name: 'order-service' | 'payment-service'): string {
  const entry = join(DIST, `${name}.js`);
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: run \`npx tsc -b examples/order-service\` (or npm run build) first`,
    );
  }
  return entry;
}

export class ServiceChild {
  readonly #child: ChildProcess;
  #output = '';
  #exited = false;
  readonly exited: Promise<void>;

  constructor(entry: string, args: readonly string[], env: Readonly<Record<string, string>>) {
    this.#child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
    };
    this.#child.stdout?.on('data', collect);
    this.#child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.#child.on('close', () => {
        this.#exited = true;
        resolve();
      });
    });
  }

  get output(): string {
    return this.#output;
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => {
        if (this.#exited) throw new Error(`the service exited before it was ready:\n${this.#output}`);
        return / ready /.test(this.#output);
      },
      { timeoutMs, intervalMs: 20, description: `the service's ready line; output so far:\n${this.#output}` },
    );
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed on the way out. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.#child.kill('SIGKILL');
    await this.exited;
  }
}
