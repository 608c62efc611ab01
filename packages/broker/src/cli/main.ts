#!/usr/bin/env node
import { processEnvironment } from './cli-environment';
import { processIo } from './command';
import { keelCommands } from './commands';
import { runKeel } from './keel';
import { EXIT_INTERRUPTED } from './serve';
import { serverLaunchers } from './real-launchers';

const commands = keelCommands(processEnvironment(serverLaunchers));

runKeel(process.argv.slice(2), processIo, commands).then(
  (code) => {
    // After a second signal the server's close may still be running and holding the event loop
    // open: that is what the operator interrupted, so exit without waiting for it.
    if (code === EXIT_INTERRUPTED) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    processIo.err(`keel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
