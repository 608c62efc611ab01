#!/usr/bin/env node
// `npm run docs:config`: writes docs/configuration.md from the config schemas (built code).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { renderConfigurationDoc } = require('../packages/broker/dist/config/configuration-doc');

writeFileSync(join(__dirname, '..', 'docs', 'configuration.md'), renderConfigurationDoc());
