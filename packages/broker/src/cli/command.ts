/** One `keel` sub-command. `run` returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Set by commands with sub-commands of their own, which answer `--help` per sub-command. */
  readonly handlesHelp?: boolean;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Where a command writes: injected so tests can capture output without spawning a process. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
