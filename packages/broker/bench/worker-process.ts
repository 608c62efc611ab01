// The parent's handle on one client-bench-worker child process (protocol in worker-protocol.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BenchError, BenchErrorCode } from './bench-errors';
import type { ChildMessage, ParentMessage, WorkerJob, WorkerResult } from './worker-protocol';

const WORKER_MAIN = join(__dirname, 'client-bench-worker.js');

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  readonly #result: Promise<WorkerResult>;
  readonly #exited: Promise<void>;

  /** Spawns the child and hands it `job`; `ready()` resolves once its client is open. */
  constructor(job: WorkerJob, nodeArgs: readonly string[] = []) {
    const what = `${job.role} of ${job.target.system}`;
    this.#child = spawn(process.execPath, [...nodeArgs, WORKER_MAIN], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => this.#child.once('exit', (code) => resolve(code)));
    const failure = (detail: string): BenchError =>
      new BenchError(BenchErrorCode.WORKER_FAILED, `${what}: ${detail}`);
    const messages = new Promise<never>((_, reject) => {
      void exited.then((code) => reject(failure(`exited with ${code} before it reported`)));
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'failed') reject(failure(message.error));
      });
      void messages.catch(reject);
    });
    this.#result = new Promise<WorkerResult>((resolve, reject) => {
      this.#child.on('message', (message: ChildMessage) => {
        if (message.type === 'result') resolve(message.result);
        if (message.type === 'failed') reject(failure(message.error));
      });
      void messages.catch(reject);
    });
    // Whoever awaits only one of them must not leave the other's rejection unhandled.
    this.#ready.catch(() => undefined);
    this.#result.catch(() => undefined);
    this.#exited = exited.then((code) => {
      if (code !== 0) throw failure(`exited with ${code}`);
    });
    this.#send({ type: 'job', job });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  go(): void {
    this.#send({ type: 'go' });
  }

  /** Asks a consumer to report what it has received so far. */
  finish(): void {
    if (this.#child.connected) this.#send({ type: 'finish' });
  }

  /** The child's result, once it has also exited cleanly. */
  async result(): Promise<WorkerResult> {
    const result = await this.#result;
    await this.#exited;
    return result;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }

  #send(message: ParentMessage): void {
    this.#child.send(message);
  }
}
