// `keel admin dlq list | dlq resend`: the two-word subcommands parse, refuse an ambiguous or
// missing selector before connecting, and print the group's dead letters.

import { adminCommand } from '../../../src/cli/admin-command';
import { systemClock } from '../../../src/common/clock';
import { runKeel } from '../../../src/cli/keel';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { send } from '../../server/integration/broker-requests';
import { startClientCluster, type ClientTestCluster } from '../../client/client-cluster-fixture';
import { captureIo, createTestCli, type TestCli } from '../cli-fixtures';

describe('keel admin dlq', () => {
  let cluster: ClientTestCluster;
  let cli: TestCli;

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    cli = createTestCli();
    const raw = new RemotingClient({ clock: systemClock });
    try {
      await send(raw, cluster.brokers.get('broker-a')!.address, {
        topic: '%RETRY%cli-dlq',
        body: 'dead',
        keys: 'k-1',
        reconsumeTimes: 16,
        properties: { [MessageConst.PROPERTY_RETRY_TOPIC]: 'CliOrders' },
      });
    } finally {
      await raw.close();
    }
  });

  afterAll(async () => {
    cli.cleanup();
    await cluster.stop();
  });

  async function admin(...args: string[]) {
    const io = captureIo();
    const code = await runKeel(['admin', ...args], io, [
      adminCommand({ ...cli.env, clock: systemClock }, {}),
    ]);
    return { code, out: io.outLines.join('\n'), err: io.errText() };
  }

  it('lists dead letters with their original topic', async () => {
    const run = await admin('dlq', 'list', '-n', cluster.nameServer.address, '-g', 'cli-dlq');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Original topic/);
    expect(run.out).toMatch(/CliOrders/);
    expect(run.out).toMatch(/k-1/);
  });

  it.each([
    [[], 'give exactly one of --msgId <id>, --key <key> or --all'],
    [['--all', '--key', 'k-1'], 'give exactly one of --msgId <id>, --key <key> or --all'],
    [['--all=yes'], '--all takes no value'],
  ])('refuses resend with %j before connecting (exit 2)', async (selector, message) => {
    const run = await admin('dlq', 'resend', '-n', '127.0.0.1:1', '-g', 'cli-dlq', ...selector);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`keel admin dlq resend: ${message}`);
  });

  it('shows the grouped subcommand in help', async () => {
    const run = await admin('help', 'dlq', 'resend');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Usage: keel admin dlq resend/);
    expect(run.out).toMatch(/--all {2,}Every dead letter/);
  });
});
