// Start failures, concurrent shutdowns and shutdown during start of the push and lite pull
// consumers: each must end 'shutdown' having undone exactly what it did (review findings 1–3).

import type { ClientInstance } from '../../../src/client/client-instance';
import { acquireClientInstance, releaseClientInstance } from '../../../src/client/client-instance-registry';
import { resolveClientOptions } from '../../../src/client/client-options';
import { ClientRegistrations } from '../../../src/client/client-registrations';
import { LitePullConsumer } from '../../../src/client/consumer/lite-pull-consumer';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { ConsumerData } from '../../../src/protocol/bodies/heartbeat-data';
import { FakeClock } from '../../../src/common/fake-clock';
import { routeTo, startFakeClusterServer, type FakeClusterServer } from '../fake-cluster-server';
import { flushPromises } from './consumer-fakes';

/** Nothing listens here: every name server request fails at once with ECONNREFUSED. */
const DEAD_NAME_SERVER = '127.0.0.1:1';

let instanceCounter = 0;
function nextInstanceName(): string {
  instanceCounter += 1;
  return `lifecycle-${process.pid}-${instanceCounter}`;
}

function consumerData(group: string): ConsumerData {
  return {
    groupName: group,
    consumeType: 'CONSUME_PASSIVELY',
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    subscriptionDataSet: [],
    unitMode: false,
  };
}

/** Takes a use of the instance `instanceName` names and registers `group` on it, as another consumer. */
function occupyGroup(
  clock: FakeClock,
  nameServer: string,
  instanceName: string,
  group: string,
): { instance: ClientInstance; provider: () => ConsumerData } {
  const instance = acquireClientInstance(resolveClientOptions({ nameServer, instanceName, clock }));
  const provider = (): ConsumerData => consumerData(group);
  instance.registerConsumer(group, provider);
  return { instance, provider };
}

describe('ClientRegistrations.removeConsumer', () => {
  it('removes a group only for the provider that registered it', () => {
    const registrations = new ClientRegistrations();
    const owner = (): ConsumerData => consumerData('g');
    registrations.addConsumer('g', owner);
    expect(registrations.removeConsumer('g', () => consumerData('g'))).toBe(false);
    expect(registrations.consumerGroups).toEqual(['g']);
    expect(registrations.removeConsumer('g', owner)).toBe(true);
    expect(registrations.consumerGroups).toEqual([]);
  });
});

describe('PushConsumer start failures', () => {
  it('a second consumer of a group on one client id fails to start, ends shut down, and leaves the first registered', async () => {
    const clock = new FakeClock();
    const instanceName = nextInstanceName();
    const other = occupyGroup(clock, DEAD_NAME_SERVER, instanceName, 'dup');
    const second = new PushConsumer({ group: 'dup', nameServer: DEAD_NAME_SERVER, instanceName, clock });
    second.subscribe('T');
    second.onMessages(() => 'CONSUME_SUCCESS');

    await expect(second.start()).rejects.toThrow(/already registered/);
    expect(second.state).toBe('shutdown');
    await second.shutdown();

    expect(other.instance.registrations.heartbeat('id').consumerDataSet).toEqual([consumerData('dup')]);
    // The failed start gave its use of the shared instance back: one release closes it now.
    expect(other.instance.isClosed).toBe(false);
    await releaseClientInstance(other.instance);
    expect(other.instance.isClosed).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('PushConsumer shutdown during start', () => {
  let clock: FakeClock;
  let fake: FakeClusterServer;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = await startFakeClusterServer(clock);
    fake.routes.set('T', routeTo(fake.address));
  });

  afterEach(async () => {
    await fake.close();
  });

  function newConsumer(orderly: boolean): PushConsumer {
    const consumer = new PushConsumer({
      group: 'early',
      nameServer: fake.address,
      instanceName: nextInstanceName(),
      clock,
    });
    consumer.subscribe('T');
    if (orderly) consumer.onMessagesOrderly(() => 'SUCCESS');
    else consumer.onMessages(() => 'CONSUME_SUCCESS');
    return consumer;
  }

  it.each([
    ['at once', 0, false],
    ['after a few ticks', 3, false],
    ['at once (orderly)', 0, true],
    ['after a few ticks (orderly)', 3, true],
  ])('shut down %s: ends shut down with no timer left', async (_name, ticks, orderly) => {
    const consumer = newConsumer(orderly);
    const starting = consumer.start();
    for (let i = 0; i < ticks; i++) await flushPromises();
    await consumer.shutdown();
    await starting.catch(() => undefined);
    expect(consumer.state).toBe('shutdown');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shut down after start resolved: no timer left either', async () => {
    const consumer = newConsumer(true);
    await consumer.start();
    expect(consumer.state).toBe('running');
    await consumer.shutdown();
    expect(consumer.state).toBe('shutdown');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('LitePullConsumer lifecycle', () => {
  it('fails to start when no name server answers, and ends shut down', async () => {
    const clock = new FakeClock();
    const consumer = new LitePullConsumer({
      group: 'lonely',
      nameServer: DEAD_NAME_SERVER,
      instanceName: nextInstanceName(),
      clock,
    });
    consumer.subscribe('T');
    await expect(consumer.start()).rejects.toThrow();
    expect(consumer.state).toBe('shutdown');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a second consumer of a group on one client id fails to start and leaves the first registered', async () => {
    const clock = new FakeClock();
    const instanceName = nextInstanceName();
    const other = occupyGroup(clock, DEAD_NAME_SERVER, instanceName, 'dup-lite');
    const second = new LitePullConsumer({
      group: 'dup-lite',
      nameServer: DEAD_NAME_SERVER,
      instanceName,
      clock,
    });
    second.subscribe('T');
    await expect(second.start()).rejects.toThrow(/already registered/);
    expect(second.state).toBe('shutdown');
    await second.shutdown();
    expect(other.instance.registrations.consumerGroups).toEqual(['dup-lite']);
    expect(other.instance.isClosed).toBe(false);
    await releaseClientInstance(other.instance);
  });

  it('two concurrent shutdowns release the shared client instance once', async () => {
    const clock = new FakeClock();
    const fake = await startFakeClusterServer(clock);
    try {
      fake.routes.set('T', routeTo(fake.address));
      const instanceName = nextInstanceName();
      // Another user of the same client id, as a producer sharing it would be.
      const shared = acquireClientInstance(
        resolveClientOptions({ nameServer: fake.address, instanceName, clock }),
      );
      const consumer = new LitePullConsumer({
        group: 'twice',
        nameServer: fake.address,
        instanceName,
        autoCommit: false,
        clock,
      });
      consumer.subscribe('T');
      await consumer.start();
      await Promise.all([consumer.shutdown(), consumer.shutdown()]);
      expect(consumer.state).toBe('shutdown');
      expect(shared.isClosed).toBe(false);
      await releaseClientInstance(shared);
      expect(shared.isClosed).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
