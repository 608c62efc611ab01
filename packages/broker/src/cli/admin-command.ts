// `keel admin <subcommand> [options]`: RocketMQ's mqadmin, with its subcommand names and short
// options. Output is a table (or `key: value` lines) by default and one JSON document with --json;
// progress goes to stderr so stdout stays parseable. Exit codes: 0 done, 1 the cluster refused or
// failed, 2 the command line was wrong.

import { AdminClient } from '../client/admin/admin-client';
import type { Progress } from '../client/admin/progress';
import { closestMatch } from '../common/config/did-you-mean';
import { ConfigError } from '../common/errors';
import { describeOptions, parseArgs, UsageError, type OptionDef } from './args';
import { OptionReader, type AdminStep, type AdminSubcommand } from './admin/admin-subcommand';
import { ADMIN_SUBCOMMANDS } from './admin/subcommands';
import type { CliEnvironment } from './cli-environment';
import type { CliCommand, CliIo } from './command';

/** Environment variables `keel admin` reads. */
export type AdminProcessEnv = Readonly<Record<string, string | undefined>>;

const NAMESRV_OPTION: OptionDef = {
  name: 'namesrv-addr',
  short: 'n',
  value: 'host:port;...',
  doc: 'Name servers (default: $NAMESRV_ADDR)',
};
const JSON_FLAG = '--json';

function adminUsage(subcommands: readonly AdminSubcommand[]): string {
  const width = Math.max(...subcommands.map((s) => s.name.length));
  return [
    'Usage: keel admin <subcommand> [-n host:port;...] [options] [--json]',
    '',
    "Administers a Keel (or RocketMQ 4.x) cluster with mqadmin's subcommands. Tables by default,",
    'one JSON document on stdout with --json. The name servers come from -n, else $NAMESRV_ADDR.',
    '',
    'Subcommands:',
    ...subcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'Help of one subcommand: keel admin help <subcommand>. Reference: docs/admin.md',
  ].join('\n');
}

export function subcommandUsage(subcommand: AdminSubcommand): string {
  return [
    `Usage: keel admin ${subcommand.name} [-n host:port;...] ${subcommand.synopsis} [--json]`.replace(
      / +/g,
      ' ',
    ),
    '',
    `${subcommand.summary}.`,
    ...(subcommand.notes === undefined ? [] : ['', ...subcommand.notes]),
    '',
    ...optionLines(subcommand),
    '',
    `Example: ${subcommand.example}`,
  ].join('\n');
}

/** describeOptions' lines with the --json flag (args.ts knows only options with values) before -h. */
function optionLines(subcommand: AdminSubcommand): string[] {
  const lines = describeOptions([NAMESRV_OPTION, ...subcommand.options]);
  const help = lines.pop() ?? '';
  const docColumn = help.indexOf('Show this help');
  return [...lines, `  ${JSON_FLAG}`.padEnd(docColumn) + 'Print one JSON document instead of a table', help];
}

export function adminCommand(env: CliEnvironment, processEnv: AdminProcessEnv = process.env): CliCommand {
  const usage = adminUsage(ADMIN_SUBCOMMANDS);
  return {
    name: 'admin',
    summary: 'Administer topics, groups and messages (mqadmin: keel admin topicList)',
    usage,
    handlesHelp: true,
    run: (args, io) => runAdmin(args, io, env, processEnv, usage),
  };
}

async function runAdmin(
  args: readonly string[],
  io: CliIo,
  env: CliEnvironment,
  processEnv: AdminProcessEnv,
  usage: string,
): Promise<number> {
  const [word, ...words] = args;
  // Grouped subcommands have two words (`dlq list`, `tx commit`): take the second when the pair names one.
  const paired = word === undefined || words[0] === undefined ? undefined : `${word} ${words[0]}`;
  const [name, rest] =
    paired !== undefined && findSubcommand(paired) !== undefined ? [paired, words.slice(1)] : [word, words];
  if (name === undefined) {
    io.err(usage);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const asked = rest.join(' ');
    const topic = asked === '' ? undefined : findSubcommand(asked);
    io.out(topic === undefined ? usage : subcommandUsage(topic));
    return 0;
  }
  const subcommand = findSubcommand(name);
  if (subcommand === undefined) {
    const match = closestMatch(
      name,
      ADMIN_SUBCOMMANDS.map((s) => s.name),
    );
    const hint = match === undefined ? '' : ` Did you mean ${match}?`;
    io.err(`keel admin: unknown subcommand '${name}'.${hint} Run 'keel admin help' for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(subcommandUsage(subcommand));
    return 0;
  }
  const label = `keel admin ${subcommand.name}`;
  let prepared: { step: AdminStep; nameServer: string; json: boolean };
  try {
    prepared = prepare(subcommand, rest, processEnv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${label}: ${error.message}`);
    io.err(`Run 'keel admin help ${subcommand.name}' for its options.`);
    return 2;
  }
  let client: AdminClient;
  try {
    client = new AdminClient({ nameServer: prepared.nameServer, clock: env.clock });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${label}: -n: ${error.message}`);
    return 2;
  }
  try {
    const progress = (p: Progress) =>
      io.err(`${subcommand.name}: ${p.done}${p.total === undefined ? '' : `/${p.total}`} ${p.unit}`);
    const output = await prepared.step({ client, progress });
    if (prepared.json) io.out(JSON.stringify(output.json, null, 2));
    else for (const line of output.text) io.out(line);
    return 0;
  } catch (error) {
    io.err(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}

function findSubcommand(name: string): AdminSubcommand | undefined {
  return (
    ADMIN_SUBCOMMANDS.find((s) => s.name === name) ??
    ADMIN_SUBCOMMANDS.find((s) => s.name.toLowerCase() === name.toLowerCase())
  );
}

function prepare(
  subcommand: AdminSubcommand,
  args: readonly string[],
  processEnv: AdminProcessEnv,
): { step: AdminStep; nameServer: string; json: boolean } {
  // args.ts gives every option a value; --json is a flag, so it is taken out first (not after `--`).
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  const json = args.slice(0, end).includes(JSON_FLAG);
  const withoutFlag = [...args.slice(0, end).filter((arg) => arg !== JSON_FLAG), ...args.slice(end)];
  const parsed = parseArgs(withoutFlag, [NAMESRV_OPTION, ...subcommand.options]);
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const nameServer = parsed.options.get('namesrv-addr') ?? processEnv['NAMESRV_ADDR'];
  if (nameServer === undefined || nameServer.trim() === '')
    throw new UsageError(
      'no name server: pass -n 127.0.0.1:9876 (several: -n "host1:9876;host2:9876") or set NAMESRV_ADDR',
    );
  return { step: subcommand.prepare(new OptionReader(parsed.options)), nameServer, json };
}
