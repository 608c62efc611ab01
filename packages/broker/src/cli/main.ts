#!/usr/bin/env node
import { processIo } from './command';
import { runKeel } from './keel';

runKeel(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    processIo.err(`keel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
