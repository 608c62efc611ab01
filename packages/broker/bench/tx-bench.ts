// The transactional-send benchmark (issue 7), `BENCH=tx npm run bench:broker`: transactions (half
// message + END_TRANSACTION commit, the local transaction a no-op) against plain sends, 64 of each
// in flight, on the same `keel broker` (ASYNC_FLUSH) in the same run. Broker and name server are
// child processes (bench-cluster.ts); both producers run in this process, one phase at a time, the
// order alternating per round so drift (page cache, JIT, disk) does not favour one side.
//
// Per round: plain msgs/s, transactions/s, their ratio, and the broker's CPU per message of each.
// Afterwards every committed transaction must be on its topic (the broker commits asynchronously
// to the producer: END_TRANSACTION is oneway), else the figures would flatter a lossy path.
// Options: TX_ROUNDS (default 5), TX_DURATION_MS (3000, each measured phase, after
// TX_WARM_UP_MS = 1000 of the same load).
import {
  AdminClient,
  LocalTransactionState,
  Producer,
  SendStatus,
  TransactionProducer,
} from '@keel/broker/client';
import { plainBody } from './bench-body';
import { startBenchCluster, type BenchCluster } from './bench-cluster';
import { BenchError, BenchErrorCode } from './bench-errors';
import { fmt, median, withTempDir } from './bench-util';
import { realTimer, runWindow, type Publish } from './client-workloads';

const ROUNDS = Number(process.env.TX_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.TX_DURATION_MS ?? 3000);
const WARM_UP_MS = Number(process.env.TX_WARM_UP_MS ?? 1000);
const IN_FLIGHT = 64;
const PLAIN_TOPIC = 'TxBenchPlain';
const TX_TOPIC = 'TxBenchTransactions';
/** How long the committed messages may trail the last acknowledged half message. */
const COMMIT_GRACE_MS = 15_000;

interface Phase {
  readonly perSecond: number;
  readonly count: number;
  readonly brokerCpuMicrosPerMessage: number;
}

interface Round {
  readonly plain: Phase;
  readonly tx: Phase;
}

async function measure(cluster: BenchCluster, publish: Publish): Promise<Phase> {
  await runWindow(publish, IN_FLIGHT, WARM_UP_MS, realTimer);
  const before = await cluster.brokerCpu();
  const result = await runWindow(publish, IN_FLIGHT, DURATION_MS, realTimer);
  const after = await cluster.brokerCpu();
  const cpu = after.userMicros + after.systemMicros - before.userMicros - before.systemMicros;
  return {
    perSecond: result.messagesPerSecond,
    count: result.messages,
    brokerCpuMicrosPerMessage: cpu / result.messages,
  };
}

async function committedCount(admin: AdminClient, topic: string): Promise<number> {
  const queues = await admin.topicStatus(topic);
  return queues.reduce((sum, queue) => sum + queue.maxOffset, 0);
}

async function expectAllCommitted(admin: AdminClient, expected: number): Promise<void> {
  const deadline = realTimer.now() + COMMIT_GRACE_MS;
  let found = await committedCount(admin, TX_TOPIC);
  while (found < expected && realTimer.now() < deadline) {
    await realTimer.sleep(200);
    found = await committedCount(admin, TX_TOPIC);
  }
  if (found !== expected) {
    throw new BenchError(
      BenchErrorCode.MESSAGES_MISSING,
      `${expected} transactions committed, but ${TX_TOPIC} holds ${found} messages`,
    );
  }
}

async function txRounds(cluster: BenchCluster): Promise<Round[]> {
  const nameServer = cluster.nameServerAddress;
  const body = plainBody();
  const plain = new Producer({ group: 'bench-tx-plain', nameServer });
  const tx = new TransactionProducer({
    group: 'bench-tx',
    nameServer,
    // Every local transaction commits at once, so a check would only mean a lost END_TRANSACTION.
    checkLocalTransaction: () => LocalTransactionState.COMMIT_MESSAGE,
  });
  const admin = new AdminClient({ nameServer });
  await plain.start();
  await tx.start();
  let committed = 0;
  const publishPlain: Publish = async () => {
    const result = await plain.send({ topic: PLAIN_TOPIC, body });
    if (result.status !== SendStatus.SEND_OK)
      throw new BenchError(BenchErrorCode.PUBLISH_REFUSED, `plain send answered ${result.status}`);
  };
  const publishTx: Publish = async () => {
    const result = await tx.sendMessageInTransaction(
      { topic: TX_TOPIC, body },
      () => LocalTransactionState.COMMIT_MESSAGE,
    );
    if (result.localState !== LocalTransactionState.COMMIT_MESSAGE || !result.endTransactionSent) {
      throw new BenchError(
        BenchErrorCode.PUBLISH_REFUSED,
        `transaction ended ${result.localState} (END_TRANSACTION sent: ${result.endTransactionSent})`,
      );
    }
    committed += 1;
  };
  try {
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const plainFirst = round % 2 === 1;
      const first = await measure(cluster, plainFirst ? publishPlain : publishTx);
      const second = await measure(cluster, plainFirst ? publishTx : publishPlain);
      const measured = plainFirst ? { plain: first, tx: second } : { plain: second, tx: first };
      rounds.push(measured);
      process.stderr.write(
        `  round ${round}/${ROUNDS}: plain ${fmt(measured.plain.perSecond)}/s, ` +
          `transactions ${fmt(measured.tx.perSecond)}/s (${fmt((100 * measured.tx.perSecond) / measured.plain.perSecond)}%)\n`,
      );
    }
    await expectAllCommitted(admin, committed);
    const stats = tx.stats;
    if (stats.checksReceived > 0 || stats.endTransactionFailures > 0) {
      process.stderr.write(
        `  note: ${stats.checksReceived} checks received, ${stats.endTransactionFailures} END_TRANSACTIONs not sent\n`,
      );
    }
    return rounds;
  } finally {
    await admin.close();
    await tx.shutdown();
    await plain.shutdown();
  }
}

function report(rounds: readonly Round[]): void {
  const plain = median(rounds.map((r) => r.plain.perSecond));
  const tx = median(rounds.map((r) => r.tx.perSecond));
  const ratio = median(rounds.map((r) => r.tx.perSecond / r.plain.perSecond));
  console.log(
    `\n## Transactions: ${rounds.length} rounds, ${IN_FLIGHT} in flight, 1 KiB bodies, ASYNC_FLUSH\n`,
  );
  console.log('| | median | per round |');
  console.log('|---|---|---|');
  console.log(`| plain sends/s | ${fmt(plain)} | ${rounds.map((r) => fmt(r.plain.perSecond)).join(', ')} |`);
  console.log(
    `| transactions/s (half + commit) | ${fmt(tx)} | ${rounds.map((r) => fmt(r.tx.perSecond)).join(', ')} |`,
  );
  console.log(
    `| transactions / plain | ${fmt(100 * ratio)}% | ${rounds.map((r) => `${fmt((100 * r.tx.perSecond) / r.plain.perSecond)}%`).join(', ')} |`,
  );
  console.log(
    `| broker CPU µs per plain send | ${fmt(median(rounds.map((r) => r.plain.brokerCpuMicrosPerMessage)), 1)} | |`,
  );
  console.log(
    `| broker CPU µs per transaction | ${fmt(median(rounds.map((r) => r.tx.brokerCpuMicrosPerMessage)), 1)} | |`,
  );
  console.log(`\nTarget: transactions ≥ 50% of plain sends: ${ratio >= 0.5 ? 'met' : 'NOT met'}.`);
  console.log('');
  console.log(JSON.stringify({ bench: 'tx', rounds }));
}

export async function runTxBench(): Promise<void> {
  const rounds = await withTempDir('keel-tx-bench-', async (dir) => {
    const cluster = await startBenchCluster({ dir, flushDiskType: 'ASYNC_FLUSH' });
    try {
      return await txRounds(cluster);
    } finally {
      await cluster.stop();
    }
  });
  report(rounds);
}
