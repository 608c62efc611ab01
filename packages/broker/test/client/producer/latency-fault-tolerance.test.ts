import { FakeClock } from '../../../src/common/fake-clock';
import {
  FAILURE_LATENCY_MS,
  LatencyFaultTolerance,
  notAvailableDurationMs,
} from '../../../src/client/producer/latency-fault-tolerance';
import { TopicPublishInfo } from '../../../src/client/producer/topic-publish-info';
import type { TopicRouteData } from '../../../src/protocol/bodies/topic-route-data';

describe('notAvailableDurationMs (RocketMQ latency → avoidance table)', () => {
  it.each([
    [0, 0],
    [49, 0],
    [50, 0],
    [100, 0],
    [549, 0],
    [550, 30_000],
    [999, 30_000],
    [1000, 60_000],
    [2000, 120_000],
    [3000, 180_000],
    [14_999, 180_000],
    [15_000, 600_000],
    [FAILURE_LATENCY_MS, 600_000],
  ])('latency %i ms → avoided for %i ms', (latency, avoided) => {
    expect(notAvailableDurationMs(latency)).toBe(avoided);
  });
});

describe('LatencyFaultTolerance', () => {
  it('avoids a slow broker for the table duration on the injected clock', () => {
    const clock = new FakeClock();
    const faults = new LatencyFaultTolerance(clock);
    faults.record('broker-a', 600, false);
    expect(faults.isAvailable('broker-a')).toBe(false);
    expect(faults.isAvailable('broker-b')).toBe(true);
    clock.advance(29_999);
    expect(faults.isAvailable('broker-a')).toBe(false);
    clock.advance(1);
    expect(faults.isAvailable('broker-a')).toBe(true);
  });

  it('avoids a failed broker for 600 s, and a fast answer clears it', () => {
    const clock = new FakeClock();
    const faults = new LatencyFaultTolerance(clock);
    faults.record('broker-a', 5, true);
    expect(faults.availableAt('broker-a')).toBe(clock.now() + 600_000);
    clock.advance(599_999);
    expect(faults.isAvailable('broker-a')).toBe(false);
    faults.record('broker-a', 5, false);
    expect(faults.isAvailable('broker-a')).toBe(true);
  });

  it('picks the least bad broker when all are avoided', () => {
    const clock = new FakeClock();
    const faults = new LatencyFaultTolerance(clock);
    expect(faults.pickOneAtLeast()).toBeUndefined();
    faults.record('broker-a', 0, true);
    faults.record('broker-b', 2500, false);
    faults.record('broker-c', 1200, false);
    expect(faults.pickOneAtLeast()).toBe('broker-c');
    clock.advance(120_000); // broker-b (2500 ms → 120 s) is available again, c (60 s) too
    expect(faults.pickOneAtLeast()).toBe('broker-c');
    faults.remove('broker-c');
    expect(faults.pickOneAtLeast()).toBe('broker-b');
  });
});

describe('TopicPublishInfo queue selection', () => {
  const route: TopicRouteData = {
    queueDatas: [
      { brokerName: 'broker-b', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: 'broker-a', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: 'broker-ro', readQueueNums: 2, writeQueueNums: 2, perm: 4, topicSysFlag: 0 },
      { brokerName: 'broker-noMaster', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
    ],
    brokerDatas: [
      { cluster: 'c', brokerName: 'broker-a', brokerAddrs: new Map([[0, '10.0.0.1:10911']]) },
      { cluster: 'c', brokerName: 'broker-b', brokerAddrs: new Map([[0, '10.0.0.2:10911']]) },
      { cluster: 'c', brokerName: 'broker-ro', brokerAddrs: new Map([[0, '10.0.0.3:10911']]) },
      { cluster: 'c', brokerName: 'broker-noMaster', brokerAddrs: new Map([[1, '10.0.0.4:10911']]) },
    ],
    filterServerTable: new Map(),
  };

  it('lists write queues of writable masters in broker-name order and round-robins over them', () => {
    const info = TopicPublishInfo.fromRoute('T', route);
    expect(info.queues.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'broker-a:0',
      'broker-a:1',
      'broker-b:0',
      'broker-b:1',
    ]);
    const picked = Array.from({ length: 8 }, () => info.selectQueue());
    const counts = new Map<string, number>();
    for (const q of picked)
      counts.set(`${q!.brokerName}:${q!.queueId}`, (counts.get(`${q!.brokerName}:${q!.queueId}`) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2, 2]);
  });

  it('caps template queues at maxQueuesPerBroker', () => {
    const info = TopicPublishInfo.fromRoute('T', route, { fromTemplate: true, maxQueuesPerBroker: 1 });
    expect(info.queues).toEqual([
      { topic: 'T', brokerName: 'broker-a', queueId: 0 },
      { topic: 'T', brokerName: 'broker-b', queueId: 0 },
    ]);
    expect(info.fromTemplate).toBe(true);
  });

  it('skips the broker that just failed, and brokers the fault tolerance avoids', () => {
    const clock = new FakeClock();
    const faults = new LatencyFaultTolerance(clock);
    const info = TopicPublishInfo.fromRoute('T', route);
    for (let i = 0; i < 6; i++) expect(info.selectQueue('broker-a')?.brokerName).toBe('broker-b');
    faults.record('broker-b', 0, true);
    for (let i = 0; i < 6; i++) expect(info.selectQueueAvoidingFaults(faults)?.brokerName).toBe('broker-a');
    // Both avoided: the least bad one (broker-a answered slowly, broker-b failed).
    faults.record('broker-a', 700, false);
    expect(info.selectQueueAvoidingFaults(faults)?.brokerName).toBe('broker-a');
    clock.advance(30_000);
    expect(info.selectQueueAvoidingFaults(faults, 'broker-a')?.brokerName).toBe('broker-a');
  });
});
