// Child process of the SIGKILL crash test: appends with SYNC_FLUSH, many puts in flight, and
// prints `ack <n> <queueId> <queueOffset>` for every acknowledged put. Runs the built store
// (dist/), so `npm run build` must have run. Pipes are synchronous on Linux: a printed ack has
// reached the parent even if this process is killed right after.
const { MessageStore } = require('../../../dist/store/message-store');
const { defaultStoreConfig } = require('../../../dist/store/message-store-config');
const { NodeDisk } = require('../../../dist/store/disk/node-disk');
const { systemClock } = require('../../../dist/common/clock');
const { CRASH_STORE_SETTINGS, crashTestRequest } = require('./crash-message');

const [dir, firstArg] = process.argv.slice(2);
const first = Number(firstArg);
const IN_FLIGHT = 64;

async function main() {
  const store = await MessageStore.open({
    disk: new NodeDisk(),
    clock: systemClock,
    config: defaultStoreConfig(dir, CRASH_STORE_SETTINGS),
  });
  process.stdout.write(`ready ${store.recovery.kind}\n`);
  let next = first;
  const worker = async () => {
    for (;;) {
      const n = next++;
      const result = await store.putMessage(crashTestRequest(n));
      if (result.status === 'PUT_OK') {
        process.stdout.write(`ack ${n} ${n % 4} ${result.queueOffset}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack}\n`);
  process.exit(1);
});
