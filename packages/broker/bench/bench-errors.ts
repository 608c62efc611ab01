// Why a client-benchmark step failed: a run that fails stops the benchmark with one of these.
import { KeelError } from '@keel/broker/internal';

export class BenchError extends KeelError {
  constructor(code: BenchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

export const BenchErrorCode = {
  /** A system answered a publish with something other than a plain success. */
  PUBLISH_REFUSED: 'BENCH_PUBLISH_REFUSED',
  /** A child process of the benchmark failed or broke the IPC protocol. */
  WORKER_FAILED: 'BENCH_WORKER_FAILED',
  /** The topic, stream or queue under test did not become usable in time. */
  SETUP_FAILED: 'BENCH_SETUP_FAILED',
  /** A consumer saw a response it cannot continue from. */
  CONSUME_FAILED: 'BENCH_CONSUME_FAILED',
  /** Acknowledged messages that are not on the broker afterwards. */
  MESSAGES_MISSING: 'BENCH_MESSAGES_MISSING',
} as const;
export type BenchErrorCode = (typeof BenchErrorCode)[keyof typeof BenchErrorCode];
