#!/usr/bin/env node
// `npm run example`: runs the order-and-payment example (examples/order-service, docs/example.md)
// from its build. Arguments after `--` go to it: npm run example -- --orders 200 --faults off.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'examples', 'order-service', 'dist', 'main.js');
if (!existsSync(entry)) {
  console.error(
    `${entry} is missing: build first with \`npm run build\`, then run \`npm run example\` again.`,
  );
  process.exit(2);
}
require(entry);
