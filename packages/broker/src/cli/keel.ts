import type { CliCommand, CliIo } from './command';

const VERSION = '0.1.0';

function usage(commands: readonly CliCommand[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: keel <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  Show this help, or a command's help: keel help <command>`,
    `  ${'version'.padEnd(width)}  Print the Keel version`,
    '',
    'Every command accepts --help.',
  ].join('\n');
}

/**
 * Parses the first argument as a command name and runs it. Returns the exit code. The commands
 * come from `keelCommands` (commands.ts); each later capability (admin, console) adds one there.
 */
export async function runKeel(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[],
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] === undefined ? undefined : commands.find((c) => c.name === rest[0]);
    io.out(topic === undefined ? usage(commands) : topic.usage);
    return 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`keel: unknown command '${name}'. Run 'keel --help' for the list of commands.`);
    return 2;
  }
  if (command.handlesHelp !== true && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(command.usage);
    return 0;
  }
  return command.run(rest, io);
}
