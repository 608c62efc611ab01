// The benchmark's broker: @keel/tx/testing's in-process name server and broker, run in a child
// process of its own so its CPU is not taken from the transactions being measured. Prints one JSON
// line { nameServer } when ready; stops (and removes its directory) on SIGTERM or when stdin closes.

import { startTestBroker } from '@keel/tx/testing';

async function main(): Promise<void> {
  const broker = await startTestBroker({
    // Big segments: a run writes a few hundred MB of commit log.
    broker: { mappedFileSizeCommitLog: 256 * 1024 * 1024, defaultTopicQueueNums: 8 },
  });
  process.stdout.write(`${JSON.stringify({ nameServer: broker.nameServer })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    broker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`bench broker stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench broker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
