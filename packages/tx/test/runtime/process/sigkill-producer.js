// A producing service for the SIGKILL test (sigkill-atomicity.test.ts), run as a child process
// against the built packages (dist): it starts a Keel runtime and runs transactions that insert a
// note and publish a message, some of them failing in the method, until it is killed. It prints
// "ready" once the runtime runs. Configuration comes as JSON in KEEL_SIGKILL_CONFIG.
'use strict';

const { silentLogger } = require('@keel/broker');
const { currentManager, KeelRuntime, publish, runInTransaction } = require('@keel/tx');
const { DataSource, EntitySchema } = require('typeorm');

const config = JSON.parse(process.env.KEEL_SIGKILL_CONFIG ?? '{}');

const Note = new EntitySchema({
  name: 'Note',
  tableName: 'note',
  columns: { id: { type: 'text', primary: true }, text: { type: 'text' } },
});

async function main() {
  const dataSource = await new DataSource({
    type: 'postgres',
    url: config.connectionString,
    schema: config.schema,
    extra: { options: config.options, max: config.concurrency + 4 },
    entities: [Note],
  }).initialize();
  await KeelRuntime.start({
    dataSource,
    nameServer: config.nameServer,
    producerGroup: config.producerGroup,
    logger: silentLogger,
  });
  process.stdout.write('ready\n');
  let counter = 0;
  const worker = async () => {
    for (;;) {
      const id = `${config.prefix}-${String(counter++).padStart(5, '0')}`;
      const fails = Math.random() < 0.2;
      try {
        await runInTransaction(dataSource, async () => {
          await currentManager().insert('Note', { id, text: fails ? 'fails' : 'commits' });
          publish(config.topic, { id }, { key: id });
          if (fails) throw new Error('the method fails');
        });
      } catch (error) {
        if (!fails) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
}

main().catch((error) => {
  process.stderr.write(`sigkill-producer failed: ${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
