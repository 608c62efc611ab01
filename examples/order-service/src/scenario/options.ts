// The command line of `npm run example`, checked before anything starts. A mistake gets one line
// naming the option and the fix (and a "did you mean" for a misspelt option), never a stack trace.

import { closestMatch } from '@keel/broker';

export interface ScenarioOptions {
  readonly orders: number;
  readonly users: number;
  readonly faults: boolean;
  /** Keep the HTTP API (and everything behind it) running after the report, until Ctrl-C. */
  readonly serve: boolean;
  /** Where the broker's store and the embedded databases live; a fresh temporary directory when absent. */
  readonly dataDir: string | undefined;
  readonly seed: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** How long to wait for every order to become PAID or CANCELLED before reporting failure. */
  readonly settleTimeoutMs: number;
  /** HTTP port of --serve; 0 picks a free one. */
  readonly port: number;
  readonly help: boolean;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  orders: 1_000,
  users: 50,
  faults: true,
  serve: false,
  dataDir: undefined,
  seed: 1,
  concurrency: 4,
  settleTimeoutMs: 120_000,
  port: 0,
  help: false,
};

export const USAGE = `Usage: npm run example -- [options]

Runs the order and payment services with a name server and a broker in one process, places orders
from many users while injecting faults, and checks that nothing was lost or done twice.

  --orders N          order requests to send (default 1000)
  --users N           users placing them (default 50)
  --faults on|off     inject faults: service crashes, duplicate deliveries, a broker restart,
                      client retries (default on)
  --serve             keep the HTTP API running after the report (Ctrl-C stops it)
  --port N            HTTP port for --serve (default: a free one)
  --data-dir DIR      keep the broker store and databases in DIR (default: a temporary directory,
                      removed after a successful run)
  --seed N            seed of the scenario; the same seed places the same orders (default 1)
  --concurrency N     requests in flight at once (default 4)
  --settle-timeout-s N  seconds to wait for every order to finish (default 120)
  -h, --help          this text

DATABASE_URL=postgres://... runs both services on that PostgreSQL server (schemas
keel_example_order and keel_example_payment, recreated at start) instead of embedded PGlite.`;

export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const VALUE_OPTIONS = [
  '--orders',
  '--users',
  '--faults',
  '--data-dir',
  '--seed',
  '--concurrency',
  '--settle-timeout-s',
  '--port',
];
const FLAG_OPTIONS = ['--serve', '--help', '-h'];

export function parseScenarioOptions(args: readonly string[]): ScenarioOptions {
  let options: ScenarioOptions = DEFAULT_OPTIONS;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    if (FLAG_OPTIONS.includes(name)) {
      if (inline !== undefined) throw new OptionsError(`${name} takes no value`);
      options = name === '--serve' ? { ...options, serve: true } : { ...options, help: true };
      continue;
    }
    if (!VALUE_OPTIONS.includes(name)) {
      const suggestion = closestMatch(name, [...VALUE_OPTIONS, ...FLAG_OPTIONS]);
      throw new OptionsError(
        `unknown option ${name}` +
          (suggestion === undefined ? '' : `; did you mean ${suggestion}?`) +
          ' (see --help)',
      );
    }
    const value = inline ?? args[(index += 1)];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new OptionsError(`${name} needs a value (see --help)`);
    }
    options = withValue(options, name, value);
  }
  return options;
}

function withValue(options: ScenarioOptions, name: string, value: string): ScenarioOptions {
  switch (name) {
    case '--orders':
      return { ...options, orders: wholeNumber(name, value, 1, 1_000_000) };
    case '--users':
      return { ...options, users: wholeNumber(name, value, 1, 100_000) };
    case '--faults':
      if (value !== 'on' && value !== 'off')
        throw new OptionsError(`--faults must be on or off, got ${value}`);
      return { ...options, faults: value === 'on' };
    case '--data-dir':
      if (value.trim() === '') throw new OptionsError('--data-dir needs a directory');
      return { ...options, dataDir: value };
    case '--seed':
      return { ...options, seed: wholeNumber(name, value, 0, 2 ** 32 - 1) };
    case '--concurrency':
      return { ...options, concurrency: wholeNumber(name, value, 1, 1_000) };
    case '--settle-timeout-s':
      return { ...options, settleTimeoutMs: wholeNumber(name, value, 1, 86_400) * 1_000 };
    case '--port':
      return { ...options, port: wholeNumber(name, value, 0, 65_535) };
    default:
      throw new OptionsError(`unknown option ${name}`);
  }
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new OptionsError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return parsed;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}
