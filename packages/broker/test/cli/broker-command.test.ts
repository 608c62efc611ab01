import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keelCommands } from '../../src/cli/commands';
import { runKeel } from '../../src/cli/keel';
import { EXIT_INTERRUPTED } from '../../src/cli/serve';
import { KeelError } from '../../src/common/errors';
import { createTestCli, type TestCli } from './cli-fixtures';

describe('keel broker', () => {
  let cli: TestCli;
  beforeEach(() => {
    cli = createTestCli();
  });
  afterEach(() => cli.cleanup());

  const run = (...args: string[]) => runKeel(['broker', ...args], cli.io, keelCommands(cli.env));
  const storeDir = () => join(cli.dir, 'store');
  const validFile = (...extra: string[]) =>
    cli.file('broker.properties', [
      'brokerClusterName=DefaultCluster',
      'brokerName=broker-a',
      'brokerId=0',
      `storePathRootDir=${storeDir()}`,
      'brokerIP1=127.0.0.1',
      ...extra,
    ]);

  it("refuses the issue's `brokerld=1` with its line and `brokerId`, exits 2 and creates nothing", async () => {
    const path = cli.file('broker.properties', [
      '# a typo',
      'brokerName=broker-a',
      'brokerld=1',
      `storePathRootDir=${storeDir()}`,
    ]);
    const before = cli.listDir();

    const code = await run('-c', path);

    expect(code).toBe(2);
    expect(cli.io.errText()).toContain(`${path}:3: brokerld: unknown key, did you mean brokerId?`);
    expect(cli.launchers.brokerConfigs).toHaveLength(0);
    expect(cli.listDir()).toEqual(before);
    expect(existsSync(storeDir())).toBe(false);
  });

  it('lists every problem of the file in one run, each with its line', async () => {
    const path = cli.file('broker.properties', [
      'brokerName=broker-a',
      'listenPort=ten',
      'brokerRole=SLAVEE',
      'just some words',
      `storePathRootDir=${storeDir()}`,
      'mapedFileSizeCommitLog=12',
    ]);

    expect(await run('-c', path)).toBe(2);

    const text = cli.io.errText();
    expect(text).toContain('(4 problems)');
    expect(text).toContain(`${path}:2: listenPort: expected an integer, got 'ten'`);
    expect(text).toContain(`${path}:3: brokerRole:`);
    expect(text).toContain('did you mean SLAVE?');
    expect(text).toContain(`${path}:4: 'just some words' is neither a comment nor key=value`);
    expect(text).toContain(`${path}:6: mappedFileSizeCommitLog: 12 is below the minimum 1024`);
    expect(existsSync(storeDir())).toBe(false);
  });

  it('names an unreadable config file and exits 2', async () => {
    expect(await run('-c', join(cli.dir, 'missing.properties'))).toBe(2);
    expect(cli.io.errText()).toContain('cannot read config file');
  });

  it('refuses an unknown option with a suggestion', async () => {
    expect(await run('--namesrv-adr', 'a:1')).toBe(2);
    expect(cli.io.errText()).toContain('unknown option --namesrv-adr; did you mean --namesrv-addr?');
  });

  it('-n and -p replace namesrvAddr and listenPort from the file', async () => {
    const path = validFile('namesrvAddr=10.0.0.1:9876', 'listenPort=10911');
    const running = run('-c', path, '-n', 'ns1:9876;ns2:9877', '-p', '20911');
    await cli.io.nextErrLine(/ ready /);
    cli.signals.send('SIGTERM');
    expect(await running).toBe(0);

    const config = cli.launchers.brokerConfigs[0];
    expect(config?.namesrvAddr).toEqual(['ns1:9876', 'ns2:9877']);
    expect(config?.listenPort).toBe(20911);
    expect(config?.haListenPort).toBe(20912);
  });

  it('names the command line as the source of a bad -n value', async () => {
    const path = validFile();
    expect(await run('-c', path, '-n', 'ns1')).toBe(2);
    expect(cli.io.errText()).toContain("command line: namesrvAddr: 'ns1' has no port");
  });

  it('starts, logs one ready line, keeps a pid file, and on SIGTERM closes once and removes it', async () => {
    const path = validFile('brokerRole=SYNC_MASTER');
    const pidFile = join(storeDir(), 'keel-broker.pid');
    const running = run('-c', path);
    await cli.io.nextErrLine(/ ready /);
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(cli.processes.pid));

    cli.signals.send('SIGTERM');
    expect(await running).toBe(0);

    expect(cli.launchers.server.closeReasons).toEqual(['SIGTERM received']);
    expect(existsSync(pidFile)).toBe(false);
    expect(cli.signals.subscribers).toBe(0);
    const ready = cli.io.errLines.filter((line) => line.includes(' ready '));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatch(/^2024-01-01T00:00:00\.000Z INFO {2}\[broker\] ready /);
    expect(ready[0]).toContain('role=SYNC_MASTER address=127.0.0.1:10911 fastPort=10909 haPort=10912');
  });

  it('a second signal during shutdown exits at once with 130 and removes the pid file', async () => {
    cli.launchers.server.holdCloseOpen();
    const pidFile = join(storeDir(), 'keel-broker.pid');
    const running = run('-c', validFile());
    await cli.io.nextErrLine(/ ready /);

    cli.signals.send('SIGINT');
    cli.signals.send('SIGINT');

    expect(await running).toBe(EXIT_INTERRUPTED);
    expect(cli.launchers.server.closeReasons).toEqual(['SIGINT received']);
    expect(existsSync(pidFile)).toBe(false);
    expect(cli.io.errText()).toContain('second signal');
    cli.launchers.server.finishClose();
  });

  it('exits 1 naming the error when the server cannot start, and writes no pid file', async () => {
    cli.launchers.failWith = new KeelError('STORE_LOCKED', 'the store is locked by another broker');
    expect(await run('-c', validFile())).toBe(1);
    expect(cli.io.errText()).toMatch(/ERROR \[broker\] failed to start error=.*STORE_LOCKED/);
    expect(existsSync(join(storeDir(), 'keel-broker.pid'))).toBe(false);
  });

  it('honours logLevel: at warn, no info lines', async () => {
    const running = run('-c', validFile('logLevel=warn'));
    // No ready line at warn: signal as soon as the server runs, before its pid file exists.
    await cli.launchers.started;
    cli.signals.send('SIGTERM');
    expect(await running).toBe(0);
    expect(cli.io.errLines.filter((line) => line.includes(' INFO '))).toEqual([]);
  });
});
