// The console's API handlers against a fake admin client: parameters are checked before anything
// reaches the cluster, destructive actions need "confirm": true, and answers are what the pages read.

import type { ConsumerProgress, QueueProgress } from '../../src/client/admin/consumer-admin';
import type { ClusterMember } from '../../src/client/admin/cluster-admin';
import type { MessageExt } from '../../src/client/message';
import type { ConsoleAdmin } from '../../src/console/console-admin';
import {
  clusterInfoOf,
  errorOf,
  fakeAdmin,
  startConsole,
  stubAssets,
  type AssetsDir,
  type RunningConsole,
} from './console-test-kit';

function message(overrides: Partial<MessageExt> = {}): MessageExt {
  return {
    msgId: 'C0A80001000000000000000000000001',
    offsetMsgId: '7F00000100002A9F0000000000000100',
    topic: 'Orders',
    queueId: 1,
    queueOffset: 5,
    commitLogOffset: 256,
    bornTimestamp: 1_700_000_000_000,
    storeTimestamp: 1_700_000_000_003,
    bornHost: '127.0.0.1:50000',
    storeHost: '127.0.0.1:10911',
    reconsumeTimes: 0,
    sysFlag: 0,
    flag: 0,
    tags: 'TagA',
    keys: ['order-1'],
    properties: new Map([
      ['KEYS', 'order-1'],
      ['TAGS', 'TagA'],
    ]),
    body: Buffer.from('{"id":1}'),
    ...overrides,
  };
}

function queue(topic: string, queueId: number, consumerOffset: number, brokerOffset = 10): QueueProgress {
  return {
    topic,
    brokerName: 'broker-a',
    queueId,
    brokerOffset,
    consumerOffset,
    lag: brokerOffset - consumerOffset,
    lastTimestamp: 0,
  };
}

function progress(group: string, queues: QueueProgress[]): ConsumerProgress {
  return { group, queues, totalLag: queues.reduce((sum, q) => sum + q.lag, 0), consumeTps: 0 };
}

describe('console API', () => {
  let assets: AssetsDir;
  let running: RunningConsole | undefined;

  beforeEach(() => {
    assets = stubAssets();
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    assets.remove();
  });

  async function start(overrides: Partial<ConsoleAdmin>): Promise<RunningConsole> {
    running = await startConsole(fakeAdmin({ clusterInfo: async () => clusterInfoOf(), ...overrides }), {
      assets,
    });
    return running;
  }

  describe('overview', () => {
    it("summarizes each broker's runtime table, with null for what a broker does not report", async () => {
      const members: ClusterMember[] = [
        {
          cluster: 'DefaultCluster',
          brokerName: 'broker-a',
          brokerId: 0,
          address: '127.0.0.1:10911',
          runtime: new Map([
            ['brokerVersionDesc', 'V4_9_8'],
            ['commitLogDiskRatio', '0.42'],
            ['msgPutTotalTodayNow', '17'],
            ['msgGetTotalTodayNow', '9'],
            ['keelTransactionHalfParked', '2'],
            ['keelSchedulePending_3', '4'],
            ['keelSchedulePending_4', '1'],
          ]),
        },
        {
          cluster: 'DefaultCluster',
          brokerName: 'broker-a',
          brokerId: 1,
          address: '127.0.0.1:10921',
          runtime: new Map(),
          error: 'connect ECONNREFUSED',
        },
      ];
      const api = await start({ clusterList: async () => members });
      const overview = (await (await api.request('/api/overview')).json()) as { brokers: unknown[] };
      expect(overview.brokers).toEqual([
        expect.objectContaining({
          role: 'MASTER',
          version: 'V4_9_8',
          diskUsedRatio: 0.42,
          putTotal: 17,
          getTotal: 9,
          halfPending: null,
          halfParked: 2,
          delayedPending: 5,
          timedPending: null,
          replicationLagBytes: null,
          error: null,
        }),
        expect.objectContaining({
          role: 'SLAVE',
          version: null,
          putTotal: null,
          error: 'connect ECONNREFUSED',
        }),
      ]);
    });
  });

  describe('topics', () => {
    it('lists topics with their kind', async () => {
      const api = await start({
        topicList: async () => [
          'Orders',
          '%RETRY%g',
          '%DLQ%g',
          'TBW102',
          'DefaultCluster',
          'broker-a',
          'rmq_sys_x',
        ],
      });
      const body = (await (await api.request('/api/topics')).json()) as {
        topics: Array<{ name: string; kind: string }>;
      };
      expect(Object.fromEntries(body.topics.map((t) => [t.name, t.kind]))).toEqual({
        Orders: 'normal',
        '%RETRY%g': 'retry',
        '%DLQ%g': 'dlq',
        TBW102: 'system',
        DefaultCluster: 'system',
        'broker-a': 'system',
        rmq_sys_x: 'system',
      });
    });

    it('creates in the only cluster when none is named, and checks the name and numbers first', async () => {
      const created: unknown[] = [];
      const api = await start({
        createOrUpdateTopic: async (settings) => {
          created.push(settings);
          return [{ cluster: 'DefaultCluster', brokerName: 'broker-a', address: '127.0.0.1:10911' }];
        },
      });
      const ok = await api.request('/api/topics', {
        method: 'POST',
        json: { topic: 'Orders', readQueueNums: 2, writeQueueNums: 2 },
      });
      expect(await ok.json()).toEqual({ topic: 'Orders', brokers: ['broker-a'] });
      expect(created).toEqual([
        expect.objectContaining({ topic: 'Orders', cluster: 'DefaultCluster', readQueueNums: 2 }),
      ]);

      const bad = async (json: object) => errorOf(await api.request('/api/topics', { method: 'POST', json }));
      expect((await bad({ topic: 'Orders!' })).message).toMatch(/not a valid name/);
      expect((await bad({ topic: '%RETRY%x' })).message).toMatch(/no %RETRY%\/%DLQ% prefix/);
      expect((await bad({ topic: 'SCHEDULE_TOPIC_XXXX' })).message).toBe(
        'SCHEDULE_TOPIC_XXXX is a system topic; choose another name',
      );
      expect((await bad({ topic: 'Orders', readQueueNums: 0 })).message).toBe(
        'readQueueNums must be from 1 to 1024, got 0',
      );
      expect((await bad({ topic: 'Orders', writeQueueNums: '4' })).message).toBe(
        'writeQueueNums must be an integer, got "4"',
      );
      expect((await bad({ topic: 'Orders', order: 'yes' })).message).toBe(
        'order must be true or false, got "yes"',
      );
      expect((await bad({})).message).toBe('topic is required in the request body');
      expect(created).toHaveLength(1);
    });

    it('asks which cluster when there are several', async () => {
      running = await startConsole(
        fakeAdmin({ clusterInfo: async () => clusterInfoOf({ east: ['b1'], west: ['b2'] }) }),
        { assets },
      );
      const answer = await running.request('/api/topics', { method: 'POST', json: { topic: 'Orders' } });
      expect(answer.status).toBe(400);
      expect((await errorOf(answer)).message).toBe('say which cluster: one of east, west');
    });

    it('deletes a topic only with "confirm": true', async () => {
      const deleted: string[] = [];
      const api = await start({
        deleteTopic: async (topic) => {
          deleted.push(topic);
          return {
            brokers: [{ cluster: 'DefaultCluster', brokerName: 'broker-a', address: 'x' }],
            nameServers: ['n'],
          };
        },
      });
      for (const json of [{}, { confirm: 'true' }, { confirm: 1 }]) {
        const refused = await api.request('/api/topics/Orders', { method: 'DELETE', json });
        expect(refused.status).toBe(400);
        expect(await errorOf(refused)).toEqual({
          code: 'CONSOLE_CONFIRM_REQUIRED',
          message:
            'deleting topic Orders cannot be undone; send "confirm": true in the request body to do it',
        });
      }
      expect(deleted).toEqual([]);
      const done = await api.request('/api/topics/%25RETRY%25g', {
        method: 'DELETE',
        json: { confirm: true },
      });
      expect(done.status).toBe(200);
      expect(deleted).toEqual(['%RETRY%g']);
    });

    it('sends a test message with its keys and tag', async () => {
      const sent: unknown[] = [];
      const api = await start({
        sendMessage: async (request) => {
          sent.push(request);
          return {
            status: 'SEND_OK',
            msgId: 'M',
            offsetMsgId: 'O',
            messageQueue: { topic: 'Orders', brokerName: 'broker-a', queueId: 3 },
            queueOffset: 7,
          };
        },
      });
      const answer = await api.request('/api/topics/Orders/messages', {
        method: 'POST',
        json: { body: 'hello', keys: 'k1 k2', tags: 'T' },
      });
      expect(await answer.json()).toEqual({
        status: 'SEND_OK',
        msgId: 'M',
        offsetMsgId: 'O',
        brokerName: 'broker-a',
        queueId: 3,
        queueOffset: 7,
      });
      expect(sent).toEqual([{ topic: 'Orders', body: 'hello', keys: 'k1 k2', tags: 'T' }]);
      const empty = await api.request('/api/topics/Orders/messages', { method: 'POST', json: { body: '' } });
      expect((await errorOf(empty)).message).toBe('body is required in the request body');
    });
  });

  describe('consumer groups', () => {
    it('lists the groups that have retry topics, with lag and members', async () => {
      const api = await start({
        topicList: async () => ['Orders', '%RETRY%billing', '%RETRY%audit', '%DLQ%audit'],
        consumerProgress: async (group) =>
          progress(group, group === 'audit' ? [queue('Orders', 0, 4), queue('Orders', 1, 10)] : []),
        consumerMembers: async (group) => ({
          group,
          members:
            group === 'audit'
              ? [
                  {
                    clientId: 'c1',
                    clientAddr: '10.0.0.1:5000',
                    language: 'JAVA',
                    version: 1,
                    brokerName: 'a',
                  },
                  {
                    clientId: 'c1',
                    clientAddr: '10.0.0.1:5001',
                    language: 'JAVA',
                    version: 1,
                    brokerName: 'b',
                  },
                ]
              : [],
          subscriptions: [],
          messageModel: group === 'audit' ? 'CLUSTERING' : undefined,
        }),
      });
      expect(await (await api.request('/api/groups')).json()).toEqual({
        groups: [
          { name: 'audit', totalLag: 6, members: 1, topics: ['Orders'], messageModel: 'CLUSTERING' },
          { name: 'billing', totalLag: 0, members: 0, topics: [], messageModel: null },
        ],
      });
    });

    it('resets offsets only with a topic, an integer time and "confirm": true', async () => {
      const resets: unknown[] = [];
      const api = await start({
        resetOffsetByTime: async (request) => {
          resets.push(request);
          return [{ brokerName: 'broker-a', queueId: 0, oldOffset: 9, newOffset: 2 }];
        },
      });
      const post = (json: object) => api.request('/api/groups/audit/reset-offset', { method: 'POST', json });
      expect((await errorOf(await post({ timestampMs: 1, confirm: true }))).message).toBe(
        'topic is required in the request body',
      );
      expect((await errorOf(await post({ topic: 'Orders', confirm: true }))).message).toBe(
        'timestampMs is required in the request body',
      );
      expect(
        (await errorOf(await post({ topic: 'Orders', timestampMs: '2024-01-01', confirm: true }))).message,
      ).toBe('timestampMs must be an integer, got "2024-01-01"');
      expect(
        (await errorOf(await post({ topic: 'Orders', timestampMs: -5, confirm: true }))).message,
      ).toMatch(/^timestampMs must be from 0 to/);
      expect((await errorOf(await post({ topic: 'Orders', timestampMs: 5 }))).code).toBe(
        'CONSOLE_CONFIRM_REQUIRED',
      );
      expect(resets).toEqual([]);
      const done = await post({ topic: 'Orders', timestampMs: 5, confirm: true });
      expect(await done.json()).toMatchObject({
        group: 'audit',
        topic: 'Orders',
        timestampMs: 5,
        resets: [{ newOffset: 2 }],
      });
      expect(resets).toEqual([{ group: 'audit', topic: 'Orders', timestampMs: 5 }]);
    });
  });

  describe('messages', () => {
    it('searches by key, or by time range, and checks the parameters', async () => {
      const asked: unknown[] = [];
      const api = await start({
        queryMsgByKey: async (query) => {
          asked.push(['key', query]);
          return [message()];
        },
        consumeMessage: async (request) => {
          asked.push(['time', request]);
          return [message()];
        },
      });
      const byKey = (await (await api.request('/api/messages?topic=Orders&key=order-1')).json()) as {
        messages: Array<Record<string, unknown>>;
      };
      expect(byKey.messages).toEqual([
        expect.objectContaining({
          msgId: 'C0A80001000000000000000000000001',
          keys: ['order-1'],
          bodySize: 8,
        }),
      ]);
      expect(byKey.messages[0]).not.toHaveProperty('bodyBase64');
      await api.request('/api/messages?topic=Orders&begin=100&end=200&max=10');
      expect(asked).toEqual([
        [
          'key',
          {
            topic: 'Orders',
            key: 'order-1',
            beginTimestampMs: undefined,
            endTimestampMs: undefined,
            maxNum: 50,
          },
        ],
        ['time', { topic: 'Orders', count: 10, beginTimestampMs: 100, endTimestampMs: 200 }],
      ]);
      const bad = async (query: string) =>
        (await errorOf(await api.request(`/api/messages?${query}`))).message;
      expect(await bad('key=k')).toBe('query parameter topic is required');
      expect(await bad('topic=Orders')).toMatch(/give a key, or a time range/);
      expect(await bad('topic=Orders&begin=200&end=100')).toBe(
        'begin (200) is after end (100); give the earlier time as begin',
      );
      expect(await bad('topic=Orders&begin=yesterday')).toBe(
        'query parameter begin must be an integer, got "yesterday"',
      );
      expect(await bad('topic=Orders&begin=1&max=100000')).toBe(
        'query parameter max must be from 1 to 500, got 100000',
      );
      expect(asked).toHaveLength(2);
    });

    it("shows a message in full with each group's consumption, comparing offsets on its queue", async () => {
      const api = await start({
        queryMsgById: async () => [message()],
        topicList: async () => ['%RETRY%done', '%RETRY%behind', '%RETRY%elsewhere'],
        consumerProgress: async (group) =>
          progress(
            group,
            group === 'done'
              ? [queue('Orders', 0, 0), queue('Orders', 1, 6)]
              : group === 'behind'
                ? [queue('Orders', 1, 5)]
                : [queue('Payments', 1, 9)],
          ),
      });
      const answer = (await (await api.request('/api/messages/7F00000100002A9F0000000000000100')).json()) as {
        messages: Array<{ message: Record<string, unknown>; brokerName: string; consumption: unknown[] }>;
      };
      const [found] = answer.messages;
      expect(found?.brokerName).toBe('broker-a');
      expect(found?.message).toMatchObject({
        properties: { KEYS: 'order-1', TAGS: 'TagA' },
        bodyBase64: Buffer.from('{"id":1}').toString('base64'),
      });
      // Queue offset 5: consumed when the group's offset is past it.
      expect(found?.consumption).toEqual([
        { group: 'behind', consumed: false, consumerOffset: 5 },
        { group: 'done', consumed: true, consumerOffset: 6 },
      ]);
    });
  });

  describe('dead letters', () => {
    it('counts each group with dead letters, and resends one, or all only with "confirm": true', async () => {
      const resends: unknown[] = [];
      const api = await start({
        topicList: async () => ['%DLQ%billing', '%RETRY%billing'],
        topicStatus: async () => [
          { brokerName: 'broker-a', queueId: 0, minOffset: 2, maxOffset: 5, lastUpdateTimestamp: 0 },
        ],
        dlqResend: async (group, selector) => {
          resends.push([group, selector]);
          return [{ msgId: 'M', originalTopic: 'Orders', resentOffsetMsgId: 'R' }];
        },
      });
      expect(await (await api.request('/api/dlq')).json()).toEqual({
        groups: [{ group: 'billing', count: 3 }],
      });
      const resend = (json: object) => api.request('/api/dlq/billing/resend', { method: 'POST', json });
      expect((await errorOf(await resend({}))).message).toBe(
        'say what to resend: a msgId, or "all": true (not both)',
      );
      expect((await errorOf(await resend({ msgId: 'M', all: true }))).message).toMatch(/not both/);
      expect((await errorOf(await resend({ all: true }))).code).toBe('CONSOLE_CONFIRM_REQUIRED');
      expect(resends).toEqual([]);
      expect((await resend({ msgId: 'M' })).status).toBe(200);
      expect((await resend({ all: true, confirm: true })).status).toBe(200);
      expect(resends).toEqual([
        ['billing', { msgId: 'M' }],
        ['billing', { all: true }],
      ]);
    });
  });

  describe('transactions', () => {
    it('commits and rolls back only with "confirm": true, on the broker named', async () => {
      const resolved: unknown[] = [];
      const api = await start({
        txCommit: async (msgId, broker) => {
          resolved.push(['commit', msgId, broker]);
          return [];
        },
        txRollback: async (msgId, broker) => {
          resolved.push(['rollback', msgId, broker]);
          return [];
        },
      });
      const refused = await api.request('/api/transactions/TX1/commit', { method: 'POST', json: {} });
      expect(await errorOf(refused)).toEqual({
        code: 'CONSOLE_CONFIRM_REQUIRED',
        message:
          'committing transaction TX1 cannot be undone; send "confirm": true in the request body to do it',
      });
      expect((await api.request('/api/transactions/TX1/rollback', { method: 'POST', json: {} })).status).toBe(
        400,
      );
      expect(resolved).toEqual([]);
      await api.request('/api/transactions/TX1/commit', {
        method: 'POST',
        json: { confirm: true, broker: 'broker-a' },
      });
      await api.request('/api/transactions/TX2/rollback', { method: 'POST', json: { confirm: true } });
      expect(resolved).toEqual([
        ['commit', 'TX1', 'broker-a'],
        ['rollback', 'TX2', undefined],
      ]);
    });
  });
});
