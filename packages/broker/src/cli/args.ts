// A small command-line parser for the sub-commands: `-c file`, `--config file`, `--config=file`,
// positionals, and `--` to end options. Mistakes are UsageErrors that say what to type instead.

import { closestMatch } from '../common/config/did-you-mean';
import { KeelError } from '../common/errors';

export const CLI_USAGE = 'CLI_USAGE';

/** The command line was wrong; the message says how, and the command adds where to find help. */
export class UsageError extends KeelError {
  constructor(message: string) {
    super(CLI_USAGE, message);
  }
}

export interface OptionDef {
  /** Long name without dashes, e.g. `config`; also the key in ParsedArgs.options. */
  readonly name: string;
  /** One letter without the dash, e.g. `c`. */
  readonly short?: string;
  /** Placeholder of the value in help, e.g. `file`. */
  readonly value: string;
  readonly doc: string;
  /** A switch that takes no value (e.g. `--all`); parsed as the value `true`. */
  readonly flag?: boolean;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

export function parseArgs(args: readonly string[], defs: readonly OptionDef[]): ParsedArgs {
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    const def = findOption(flag, defs);
    let value: string | undefined;
    if (def.flag === true) {
      if (flag !== arg) throw new UsageError(`${flag} takes no value; write ${flag} alone`);
      value = 'true';
    } else if (flag !== arg) {
      value = arg.slice(equals + 1);
    } else {
      value = args[i + 1];
      i++;
      if (value === undefined) throw new UsageError(`${flag} needs a value: ${flag} <${def.value}>`);
    }
    if (options.has(def.name)) throw new UsageError(`${flag} is given twice; give it once`);
    options.set(def.name, value);
  }
  return { options, positionals };
}

function findOption(flag: string, defs: readonly OptionDef[]): OptionDef {
  const def = defs.find((d) => flag === `--${d.name}` || (d.short !== undefined && flag === `-${d.short}`));
  if (def !== undefined) return def;
  const spellings = defs.flatMap((d) => [`--${d.name}`, ...(d.short === undefined ? [] : [`-${d.short}`])]);
  const match = flag.length > 2 ? closestMatch(flag, spellings) : undefined;
  const hint = match === undefined ? '' : `; did you mean ${match}?`;
  throw new UsageError(`unknown option ${flag}${hint}`);
}

/** The Options section of a command's help. */
export function describeOptions(defs: readonly OptionDef[]): string[] {
  const rows = [
    ...defs.map((d) => [
      `${d.short === undefined ? '    ' : `-${d.short}, `}--${d.name}${d.flag === true ? '' : ` <${d.value}>`}`,
      d.doc,
    ]),
    ['-h, --help', 'Show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => (left ?? '').length));
  return ['Options:', ...rows.map(([left, doc]) => `  ${(left ?? '').padEnd(width)}  ${doc}`)];
}
