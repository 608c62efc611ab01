// `keel console`: what it refuses before starting (exit 2 with the fix), and a start and stop with
// a stand-in front end (the name server it names need not answer for the page to be served).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleCommand } from '../../src/cli/console-command';
import { runKeel } from '../../src/cli/keel';
import { createTestCli, type TestCli } from './cli-fixtures';

describe('keel console', () => {
  let cli: TestCli;
  let assetsDir: string;

  beforeEach(() => {
    cli = createTestCli();
    assetsDir = mkdtempSync(join(tmpdir(), 'keel-console-cli-'));
    writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>stub</title>');
  });

  afterEach(() => {
    cli.cleanup();
    rmSync(assetsDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => runKeel(['console', ...args], cli.io, [consoleCommand(cli.env, {})]);

  it.each([
    [[], /no name server: pass -n 127\.0\.0\.1:9876/],
    [
      ['-n', 'h:1', '--token', 'abcdefgh', '--user', 'u'],
      /either --token or --user with --password, not both/,
    ],
    [['-n', 'h:1', '--user', 'u'], /--user needs --password too/],
    [['-n', 'h:1', '-p', '70000'], /--port must be a whole number from 0 to 65535, got '70000'/],
    [['-n', 'h:1', '--sample-interval', '5s'], /--sample-interval must be a whole number/],
    [['-n', 'h:1', 'extra'], /unexpected argument 'extra'/],
  ])('refuses %j with exit 2 and the fix', async (args, message) => {
    expect(await run(...args)).toBe(2);
    expect(cli.io.errText()).toMatch(message);
    expect(cli.io.errText()).toMatch(/Run 'keel console --help'/);
  });

  it('refuses to bind another address without credentials', async () => {
    expect(await run('-n', '127.0.0.1:1', '--bind', '0.0.0.0', '--assets-dir', assetsDir)).toBe(2);
    expect(cli.io.errText()).toMatch(/bind: 0\.0\.0\.0 exposes the console/);
  });

  it('says how to build the front end when it is missing', async () => {
    expect(await run('-n', '127.0.0.1:1', '-p', '0', '--assets-dir', join(assetsDir, 'none'))).toBe(2);
    expect(cli.io.errText()).toMatch(/front end is not built.*npm run build/);
  });

  it('serves until SIGTERM, then stops and exits 0', async () => {
    const exit = run('-n', '127.0.0.1:1', '-p', '0', '--assets-dir', assetsDir);
    const ready = await cli.io.nextErrLine(/ready/);
    const url = /url=(\S+)/.exec(ready)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(ready).toMatch(/nameServers=127\.0\.0\.1:1 auth=none/);
    expect(await (await fetch(url!)).text()).toContain('stub');
    cli.signals.send('SIGTERM');
    expect(await exit).toBe(0);
    expect(cli.io.errText()).toMatch(/stopped/);
    expect(cli.signals.subscribers).toBe(0);
  });
});
