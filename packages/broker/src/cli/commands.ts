import { adminCommand } from './admin-command';
import { brokerCommand } from './broker-command';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand } from './command';
import { consoleCommand } from './console-command';
import { namesrvCommand } from './namesrv-command';
import { shutdownCommand } from './shutdown-command';

/** The sub-commands of `keel`, in the order `keel --help` lists them. */
export function keelCommands(env: CliEnvironment): readonly CliCommand[] {
  return [
    namesrvCommand(env),
    brokerCommand(env),
    shutdownCommand(env),
    adminCommand(env),
    consoleCommand(env),
  ];
}
