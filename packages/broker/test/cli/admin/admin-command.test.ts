import { adminCommand, type AdminProcessEnv } from '../../../src/cli/admin-command';
import { systemClock } from '../../../src/common/clock';
import { keelCommands } from '../../../src/cli/commands';
import { runKeel } from '../../../src/cli/keel';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../../client/client-cluster-fixture';
import { captureIo, createTestCli, type CapturedIo, type TestCli } from '../cli-fixtures';

const TOPIC = 'CliTopic';

describe('keel admin against a running cluster', () => {
  let cluster: ClientTestCluster;
  let cli: TestCli;
  let namesrv: string;

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    namesrv = cluster.nameServer.address;
    cli = createTestCli();
  });

  afterAll(async () => {
    cli.cleanup();
    await cluster.stop();
  });

  interface Run {
    readonly code: number;
    readonly io: CapturedIo;
    readonly out: string;
    readonly err: string;
  }

  async function admin(args: readonly string[], processEnv: AdminProcessEnv = {}): Promise<Run> {
    const io = captureIo();
    // The system clock: UNIQ_KEYs of sends in separate runs must differ (each run has its own producer).
    const env = { ...cli.env, clock: systemClock };
    const code = await runKeel(['admin', ...args], io, [adminCommand(env, processEnv)]);
    return { code, io, out: io.outLines.join('\n'), err: io.errText() };
  }

  const withNamesrv = (subcommand: string, ...args: string[]) => admin([subcommand, '-n', namesrv, ...args]);
  const json = async (subcommand: string, ...args: string[]) => {
    const run = await withNamesrv(subcommand, ...args, '--json');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.out) as Record<string, unknown>;
  };

  describe('usage errors exit 2 without touching the cluster', () => {
    it('asks for the name server when neither -n nor NAMESRV_ADDR is given', async () => {
      const run = await admin(['topicList']);
      expect(run.code).toBe(2);
      expect(run.err).toContain('keel admin topicList: no name server: pass -n 127.0.0.1:9876');
      expect(run.err).toContain('NAMESRV_ADDR');
    });

    it('names an unknown subcommand and the closest one', async () => {
      const run = await admin(['topicLst']);
      expect(run.code).toBe(2);
      expect(run.err).toContain("unknown subcommand 'topicLst'. Did you mean topicList?");
    });

    it.each([
      [['topicRoute'], '-t <topic> is required'],
      [['updateTopic', '-t', 'X'], 'give exactly one of -c <cluster> (every master) and -b <broker>'],
      [
        ['queryMsgByOffset', '-t', 'X', '-b', 'broker-a', '-i', 'one', '-o', '0'],
        '-i must be a whole number',
      ],
      [['resetOffsetByTime', '-g', 'g', '-t', 'X', '-s', 'yesterday'], 'is not a timestamp'],
      [['topicRoute', '-t', 'X', '--bogus', '1'], 'unknown option --bogus'],
      [['topicRoute', '-t', 'X', 'extra'], "unexpected argument 'extra'"],
      [['consumeMessage', '-t', 'X', '-g', 'g', '-o', '3'], 'give at most one start'],
    ])('%j', async (args, message) => {
      const [subcommand = '', ...rest] = args;
      const run = await withNamesrv(subcommand, ...rest);
      expect(run.code).toBe(2);
      expect(run.err).toContain(message);
      expect(run.err).toContain(`keel admin help ${args[0]}`);
    });

    it('refuses a name server address that is not host:port', async () => {
      const run = await admin(['topicList', '-n', 'nowhere']);
      expect(run.code).toBe(2);
      expect(run.err).toContain('"nowhere" is not host:port');
    });

    it('prints the list of subcommands, and each one its options', async () => {
      const list = await admin(['help']);
      expect(list.code).toBe(0);
      for (const name of ['updateTopic', 'consumerProgress', 'queryMsgByOffset', 'consumeMessage'])
        expect(list.out).toMatch(new RegExp(`^  ${name} `, 'm'));
      const one = await admin(['help', 'resetOffsetByTime']);
      expect(one.out).toMatch(/^Usage: keel admin resetOffsetByTime /);
      // `keel admin <subcommand> --help` reaches the subcommand too, not only the admin list.
      const viaFlag = await admin(['resetOffsetByTime', '--help']);
      expect(viaFlag.out).toBe(one.out);
      for (const option of [
        '-g, --group <group>',
        '-s, --timestamp <timestamp>',
        '--json',
        'Stop the consumers',
      ])
        expect(one.out).toContain(option);
    });
  });

  it('is registered as `keel admin` and reads NAMESRV_ADDR when -n is absent', async () => {
    const io = captureIo();
    expect(await runKeel(['admin', 'clusterList', '-n', namesrv], io, keelCommands(cli.env))).toBe(0);
    expect(io.outLines[0]).toMatch(/^Cluster\s+Broker\s+BID\s+Address\s+Version/);
    expect(io.outLines[1]).toMatch(/^DefaultCluster\s+broker-a\s+0\s+127\.0\.0\.1:\d+\s+V4_9_8/);
    const run = await admin(['topicList'], { NAMESRV_ADDR: namesrv });
    expect(run.code).toBe(0);
  });

  it('reports a cluster error on one line and exits 1', async () => {
    const run = await withNamesrv('topicRoute', '-t', 'Missing');
    expect(run.code).toBe(1);
    expect(run.io.errLines).toEqual([`keel admin topicRoute: no route for topic Missing on ${namesrv}`]);
  });

  it('runs every subcommand', async () => {
    const created = await withNamesrv(
      'updateTopic',
      '-c',
      'DefaultCluster',
      '-t',
      TOPIC,
      '-r',
      '2',
      '-w',
      '2',
    );
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^create topic CliTopic to broker-a \(127\.0\.0\.1:\d+\) success$/);
    await waitFor(async () => (await withNamesrv('topicRoute', '-t', TOPIC)).code === 0, {
      timeoutMs: 5000,
      description: 'route of CliTopic',
    });

    expect((await withNamesrv('topicList')).io.outLines).toContain(TOPIC);
    expect((await json('topicList'))['topics']).toContain(TOPIC);

    const route = await withNamesrv('topicRoute', '-t', TOPIC);
    expect(route.out).toMatch(/^broker-a\s+2\s+2\s+RW-$/m);
    const routeJson = await json('topicRoute', '-t', TOPIC);
    expect(routeJson['queueDatas']).toEqual([
      { brokerName: 'broker-a', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
    ]);

    const sent: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++)
      sent.push(await json('sendMessage', '-t', TOPIC, '-p', `hello-${i}`, '-k', `k${i}`, '--tags', 'T'));
    expect(sent[0]).toMatchObject({ status: 'SEND_OK' });
    const sendText = await withNamesrv('sendMessage', '-t', TOPIC, '-p', 'hello-3');
    expect(sendText.out).toMatch(
      /^SEND_OK: msgId [0-9A-F]{32}, offsetMsgId [0-9A-F]{32}, queue broker-a\/\d offset \d+$/,
    );

    const status = await withNamesrv('topicStatus', '-t', TOPIC);
    expect(status.io.outLines[0]).toMatch(/^Broker\s+QID\s+Min Offset\s+Max Offset\s+Last Updated$/);
    expect(status.io.outLines).toHaveLength(3);

    const broker = await withNamesrv('brokerStatus', '-b', 'broker-a');
    expect(broker.out).toMatch(/^brokerVersionDesc:\s+V4_9_8$/m);

    const byKey = await withNamesrv('queryMsgByKey', '-t', TOPIC, '-k', 'k1');
    expect(byKey.io.outLines).toHaveLength(2);
    expect(byKey.io.outLines[1]).toContain('hello-1');

    const first = sent[0]!;
    const byId = await withNamesrv('queryMsgById', '-i', String(first['offsetMsgId']));
    expect(byId.out).toMatch(/^Body:\s+hello-0$/m);
    expect(byId.out).toMatch(/^Keys:\s+k0$/m);
    const byUniqueKey = await json('queryMsgById', '-i', String(first['msgId']), '-t', TOPIC);
    expect(byUniqueKey['messages']).toEqual([expect.objectContaining({ body: 'hello-0', tags: 'T' })]);

    const queue = first['messageQueue'] as { brokerName: string; queueId: number };
    const byOffset = await withNamesrv(
      'queryMsgByOffset',
      '-t',
      TOPIC,
      '-b',
      queue.brokerName,
      '-i',
      String(queue.queueId),
      '-o',
      String(first['queueOffset']),
    );
    expect(byOffset.out).toMatch(/^Body:\s+hello-0$/m);

    const consumed = await withNamesrv('consumeMessage', '-t', TOPIC, '-c', '2');
    expect(consumed.code).toBe(0);
    expect(consumed.io.outLines).toHaveLength(3);
    expect(consumed.io.errLines.at(-1)).toBe('consumeMessage: 2/2 messages');

    const reset = await withNamesrv('resetOffsetByTime', '-g', 'cli-group', '-t', TOPIC, '-s', '0');
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/^broker-a\s+0\s+0 → 0$/m);
    expect(reset.io.errLines).toEqual(['resetOffsetByTime: 1/2 queues', 'resetOffsetByTime: 2/2 queues']);
    const progress = await json('consumerProgress', '-g', 'cli-group');
    expect(progress['totalLag']).toBe(4);
    const progressText = await withNamesrv('consumerProgress', '-g', 'cli-group', '-t', TOPIC);
    expect(progressText.out).toMatch(/^Diff Total: 4$/m);

    const toNow = await withNamesrv('resetOffsetByTime', '-g', 'cli-group', '-t', TOPIC, '-s', 'now');
    expect(toNow.code).toBe(0);
    expect((await json('consumerProgress', '-g', 'cli-group'))['totalLag']).toBe(0);

    const connection = await withNamesrv('consumerConnection', '-g', 'cli-group');
    expect(connection.out).toBe('no online consumer in group cli-group');
    expect(await json('consumerConnection', '-g', 'cli-group')).toMatchObject({
      clientIds: [],
      note: expect.stringContaining('GET_CONSUMER_CONNECTION_LIST is not implemented'),
    });

    const deleted = await withNamesrv('deleteTopic', '-t', TOPIC);
    expect(deleted.code).toBe(0);
    expect(deleted.io.outLines).toEqual([
      expect.stringMatching(/^delete topic CliTopic from broker-a/),
      `delete topic CliTopic from name server ${namesrv} success`,
    ]);
  });
});
