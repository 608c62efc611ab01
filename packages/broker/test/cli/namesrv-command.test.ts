import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keelCommands } from '../../src/cli/commands';
import { runKeel } from '../../src/cli/keel';
import { createTestCli, type TestCli } from './cli-fixtures';

describe('keel namesrv', () => {
  let cli: TestCli;
  beforeEach(() => {
    cli = createTestCli();
  });
  afterEach(() => cli.cleanup());

  const run = (...args: string[]) => runKeel(['namesrv', ...args], cli.io, keelCommands(cli.env));

  it('runs without a file on the default port, its pid file in ~/namesrv', async () => {
    const running = run();
    const ready = await cli.io.nextErrLine(/ ready /);
    expect(ready).toMatch(/INFO {2}\[namesrv\] ready port=9876 /);
    const pidFile = join(cli.host.homeDir, 'namesrv', 'keel-namesrv.pid');
    expect(existsSync(pidFile)).toBe(true);

    cli.signals.send('SIGTERM');
    expect(await running).toBe(0);
    expect(cli.launchers.server.closeReasons).toEqual(['SIGTERM received']);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('-p replaces listenPort from the file', async () => {
    const path = cli.file('namesrv.properties', ['listenPort=9000', `namesrvRootDir=${join(cli.dir, 'ns')}`]);
    const running = run('-c', path, '-p', '9877');
    await cli.io.nextErrLine(/ ready /);
    cli.signals.send('SIGINT');
    expect(await running).toBe(0);
    expect(cli.launchers.nameServerConfigs[0]?.listenPort).toBe(9877);
    expect(cli.launchers.nameServerConfigs[0]?.kvConfigPath).toBe(join(cli.dir, 'ns', 'kvConfig.json'));
  });

  it('refuses a bad port and a misspelt key together, exits 2 and creates nothing', async () => {
    const path = cli.file('namesrv.properties', [`namesrvRootDir=${join(cli.dir, 'ns')}`, 'listenPrt=1']);
    expect(await run('-c', path, '-p', '70000')).toBe(2);
    const text = cli.io.errText();
    expect(text).toContain(`${path}:2: listenPrt: unknown key, did you mean listenPort?`);
    expect(text).toContain('command line: listenPort: 70000 is above the maximum 65535');
    expect(existsSync(join(cli.dir, 'ns'))).toBe(false);
    expect(cli.launchers.nameServerConfigs).toHaveLength(0);
  });

  it('refuses a stray argument', async () => {
    expect(await run('9876')).toBe(2);
    expect(cli.io.errText()).toContain("unexpected argument '9876'");
  });
});
