// A producer or consumer child process of the client benchmark (client-bench.ts spawns it with
// `node client-bench-worker.js`): it runs one job it receives over IPC (worker-protocol.ts) and
// exits, so each side has its own event loop, heap and garbage collector.
import { countedSentAt, plainBody, stampedBody, wallClockMs } from './bench-body';
import { realTimer, runPaced, runWindow, runWindowBatches, type ThroughputResult } from './client-workloads';
import { LatencyRecorder } from './latency-recorder';
import { openConsumer, openProducer } from './peers/open-peer';
import type { PeerConsumer, PeerProducer } from './peers/peer-target';
import type { ChildMessage, ConsumerJob, ParentMessage, ProducerJob, WorkerResult } from './worker-protocol';

function tell(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('client-bench-worker must be started by client-bench with an IPC channel'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error === null ? resolve() : reject(error)));
  });
}

function nextMessage(type: ParentMessage['type']): Promise<ParentMessage> {
  return new Promise((resolve) => {
    const listener = (message: ParentMessage): void => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve(message);
    };
    process.on('message', listener);
  });
}

async function throughput(job: ProducerJob, producer: PeerProducer, durationMs: number) {
  const body = plainBody();
  const publish = (): Promise<void> => producer.publish(body);
  switch (job.mode) {
    case 'window':
      return runWindow(publish, job.window, durationMs, realTimer);
    case 'window-batches':
      return runWindowBatches(publish, job.window, durationMs, realTimer);
    case 'batch-api': {
      const publishBatch = producer.publishBatch?.bind(producer);
      if (publishBatch === undefined) throw new Error(`${job.target.system} has no batch API in this bench`);
      const bodies = Array.from({ length: job.batchSize }, plainBody);
      return runWindow(() => publishBatch(bodies), job.window, durationMs, realTimer, job.batchSize);
    }
    case 'paced':
      throw new Error('paced is not a throughput mode');
  }
}

async function paced(job: ProducerJob, producer: PeerProducer, counted: boolean, durationMs: number) {
  return runPaced(
    () => producer.publish(stampedBody(counted, wallClockMs())),
    job.rate,
    durationMs,
    realTimer,
  );
}

async function runProducer(job: ProducerJob): Promise<WorkerResult> {
  const producer = await openProducer(job.target);
  try {
    // The set-up message creates Keel's topic (auto-creation on first send) before a consumer looks.
    await producer.publish(plainBody());
    await tell({ type: 'ready' });
    await nextMessage('go');
    if (job.mode === 'paced') {
      await paced(job, producer, false, job.warmUpMs);
      const cpuBefore = process.cpuUsage();
      const result = await paced(job, producer, true, job.durationMs);
      const cpu = process.cpuUsage(cpuBefore);
      return {
        role: 'producer',
        messages: result.sent,
        messagesPerSecond: (result.sent * 1000) / job.durationMs,
        cpuMicrosPerMessage: (cpu.user + cpu.system) / result.sent,
        maxLagMs: result.maxLagMs,
      };
    }
    await throughput(job, producer, job.warmUpMs);
    const cpuBefore = process.cpuUsage();
    const result: ThroughputResult = await throughput(job, producer, job.durationMs);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      role: 'producer',
      messages: result.messages,
      messagesPerSecond: result.messagesPerSecond,
      cpuMicrosPerMessage: (cpu.user + cpu.system) / result.messages,
      maxLagMs: 0,
    };
  } finally {
    await producer.close();
  }
}

async function runConsumer(job: ConsumerJob): Promise<WorkerResult> {
  const recorder = new LatencyRecorder(job.expected);
  let allReceived!: () => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    allReceived = resolve;
    failed = reject;
  });
  const consumer: PeerConsumer = await openConsumer(
    job.target,
    (body) => {
      const sentAt = countedSentAt(body);
      if (sentAt === undefined) return;
      recorder.record(wallClockMs() - sentAt);
      if (recorder.count === job.expected) allReceived();
    },
    failed,
  );
  try {
    await tell({ type: 'ready' });
    await Promise.race([done, nextMessage('finish')]);
    return { role: 'consumer', expected: job.expected, latency: recorder.summary() };
  } finally {
    await consumer.close();
  }
}

async function main(): Promise<void> {
  const message = await nextMessage('job');
  if (message.type !== 'job') return;
  const job = message.job;
  try {
    const result = job.role === 'producer' ? await runProducer(job) : await runConsumer(job);
    await tell({ type: 'result', result });
  } catch (error: unknown) {
    await tell({
      type: 'failed',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
