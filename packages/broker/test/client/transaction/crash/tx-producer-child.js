// Child process of the transactional-producer SIGKILL test: sends one transactional message with
// the built client (dist/, so `npm run build` must have run), prints `half <transactionId>` once
// the half message is stored, and never finishes its local transaction: the test kills it there.
// Pipes are synchronous on Linux, so the printed line has reached the parent before any kill.
const { TransactionProducer } = require('../../../../dist/client/index.js');

const [nameServer, group, topic] = process.argv.slice(2);

async function main() {
  const producer = new TransactionProducer({
    group,
    nameServer,
    instanceName: `tx-child-${process.pid}`,
    // A check reaching this process before the kill gets no decision either.
    checkLocalTransaction: () => 'UNKNOW',
  });
  await producer.start();
  await producer.sendMessageInTransaction(
    { topic, body: 'sent by the killed producer', keys: 'killed-order', tags: 'created' },
    ({ transactionId }) => {
      process.stdout.write(`half ${transactionId}\n`);
      return new Promise(() => {}); // stays in the local transaction until killed
    },
  );
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
