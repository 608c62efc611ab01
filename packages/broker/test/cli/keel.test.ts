import { keelCommands } from '../../src/cli/commands';
import { runKeel } from '../../src/cli/keel';
import { createTestCli, type TestCli } from './cli-fixtures';

describe('keel CLI', () => {
  let cli: TestCli;
  beforeEach(() => {
    cli = createTestCli();
  });
  afterEach(() => cli.cleanup());

  const run = (...argv: string[]) => runKeel(argv, cli.io, keelCommands(cli.env));

  it('prints usage for --help and exits 0, listing every command', async () => {
    expect(await run('--help')).toBe(0);
    const text = cli.io.outLines.join('\n');
    expect(text).toMatch(/^Usage: keel <command>/);
    for (const name of ['namesrv', 'broker', 'shutdown'])
      expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('names an unknown command and how to list the known ones', async () => {
    expect(await run('brokr')).toBe(2);
    expect(cli.io.errText()).toContain("unknown command 'brokr'");
    expect(cli.io.errText()).toContain('keel --help');
  });

  it.each([
    ['namesrv', ['--config <file>', '--port <port>']],
    ['broker', ['--config <file>', '--namesrv-addr <host:port;...>', '--port <port>']],
    ['shutdown', ['--config <file>', '--pid-file <path>']],
  ])('`keel %s --help` lists its options without starting anything', async (name, expected) => {
    expect(await run(name, '--help')).toBe(0);
    const text = cli.io.outLines.join('\n');
    expect(text).toMatch(new RegExp(`^Usage: keel ${name} `));
    for (const option of [...expected, '--help']) expect(text).toContain(option);
    expect(cli.launchers.brokerConfigs).toHaveLength(0);
    expect(cli.launchers.nameServerConfigs).toHaveLength(0);
  });

  it('`keel help broker` shows the same help as `keel broker --help`', async () => {
    await run('help', 'broker');
    await run('broker', '-h');
    expect(cli.io.outLines[0]).toBe(cli.io.outLines[1]);
  });
});
