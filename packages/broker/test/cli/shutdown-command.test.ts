import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keelCommands } from '../../src/cli/commands';
import { runKeel } from '../../src/cli/keel';
import { createTestCli, type TestCli } from './cli-fixtures';

describe('keel shutdown', () => {
  let cli: TestCli;
  beforeEach(() => {
    cli = createTestCli();
  });
  afterEach(() => cli.cleanup());

  const run = (...args: string[]) => runKeel(['shutdown', ...args], cli.io, keelCommands(cli.env));
  const writePid = (dir: string, name: string, content: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), content);
  };

  it('sends SIGTERM to the broker named by the pid file in storePathRootDir', async () => {
    const store = join(cli.dir, 'store-a');
    const config = cli.file('broker.properties', [`storePathRootDir=${store}`, 'brokerName=broker-a']);
    writePid(store, 'keel-broker.pid', '777\n');
    cli.processes.alive.add(777);

    expect(await run('broker', '-c', config)).toBe(0);
    expect(cli.processes.sent).toEqual([{ pid: 777, signal: 'SIGTERM' }]);
    expect(cli.io.outLines.join('\n')).toContain('Sent SIGTERM to the broker (pid 777)');
  });

  it('finds the name server in ~/namesrv by default', async () => {
    writePid(join(cli.host.homeDir, 'namesrv'), 'keel-namesrv.pid', '31');
    cli.processes.alive.add(31);
    expect(await run('namesrv')).toBe(0);
    expect(cli.processes.sent).toEqual([{ pid: 31, signal: 'SIGTERM' }]);
  });

  it('says clearly that no broker runs when there is no pid file', async () => {
    expect(await run('broker')).toBe(1);
    expect(cli.io.errText()).toBe(
      `No broker running: there is no pid file at ${join(cli.host.homeDir, 'store', 'keel-broker.pid')}.`,
    );
    expect(cli.processes.sent).toEqual([]);
  });

  it('says the process is gone when the pid file is stale', async () => {
    const pidFile = join(cli.dir, 'x.pid');
    writeFileSync(pidFile, '999');
    expect(await run('namesrv', '--pid-file', pidFile)).toBe(1);
    expect(cli.io.errText()).toContain('No name server running');
    expect(cli.io.errText()).toContain('process 999, which does not exist');
  });

  it('refuses a pid file that does not hold a number', async () => {
    const pidFile = join(cli.dir, 'x.pid');
    writeFileSync(pidFile, 'hello');
    expect(await run('broker', '--pid-file', pidFile)).toBe(2);
    expect(cli.io.errText()).toContain('does not hold a process id');
    expect(cli.processes.sent).toEqual([]);
  });

  it('needs to be told which server, and only broker or namesrv', async () => {
    expect(await run()).toBe(2);
    expect(cli.io.errText()).toContain('keel shutdown broker|namesrv');
    expect(await run('brokers')).toBe(2);
    expect(cli.io.errText()).toContain("'brokers' is not a server");
  });
});
