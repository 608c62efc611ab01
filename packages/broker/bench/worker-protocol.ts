// The IPC messages between the client benchmark and its producer and consumer child processes.
//
//   parent ── job ──► child   child opens its producer/consumer (a producer also sends one set-up
//   parent ◄─ ready ─ child   message, so the topic exists before a consumer looks for it)
//   parent ── go ───► child   producer: warm-up, then the measured load; consumer: nothing
//   parent ◄─ result  child   then the child closes its client and exits
//   parent ── finish► child   consumer only: report now, even if messages are missing
//   parent ◄─ failed  child   at any point, instead of the above
import type { LatencySummary } from './latency-recorder';
import type { PeerTarget } from './peers/peer-target';

export type ProducerMode = 'window' | 'window-batches' | 'batch-api' | 'paced';

export interface ProducerJob {
  readonly role: 'producer';
  readonly target: PeerTarget;
  readonly mode: ProducerMode;
  /** Publishes in flight (window modes), or batches in flight (batch-api). */
  readonly window: number;
  /** Messages per sendBatch (batch-api). */
  readonly batchSize: number;
  /** Messages per second (paced). */
  readonly rate: number;
  readonly warmUpMs: number;
  readonly durationMs: number;
}

export interface ConsumerJob {
  readonly role: 'consumer';
  readonly target: PeerTarget;
  /** Counted messages the producer will send; the consumer reports once it has them all. */
  readonly expected: number;
}

export type WorkerJob = ProducerJob | ConsumerJob;

export interface ProducerResult {
  readonly role: 'producer';
  readonly messages: number;
  readonly messagesPerSecond: number;
  /** CPU of the producer process (every thread) per acknowledged message. */
  readonly cpuMicrosPerMessage: number;
  /** Paced mode: the worst delay behind schedule. */
  readonly maxLagMs: number;
}

export interface ConsumerResult {
  readonly role: 'consumer';
  readonly expected: number;
  readonly latency: LatencySummary;
}

export type WorkerResult = ProducerResult | ConsumerResult;

export type ParentMessage = { type: 'job'; job: WorkerJob } | { type: 'go' } | { type: 'finish' };

export type ChildMessage =
  { type: 'ready' } | { type: 'result'; result: WorkerResult } | { type: 'failed'; error: string };
