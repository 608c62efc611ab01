// The overview's throughput: rates between samples of the brokers' running totals, on a fake clock.

import type { ClusterMember } from '../../src/client/admin/cluster-admin';
import { FakeClock } from '../../src/common/fake-clock';
import { createLogger } from '../../src/common/logger';
import { ThroughputSampler } from '../../src/console/throughput-sampler';

function member(address: string, put: number, get: number): ClusterMember {
  return {
    cluster: 'c',
    brokerName: address,
    brokerId: 0,
    address,
    runtime: new Map([
      ['msgPutTotalTodayNow', String(put)],
      ['msgGetTotalTodayNow', String(get)],
    ]),
  };
}

describe('ThroughputSampler', () => {
  function setUp(answers: Array<ClusterMember[] | Error>, maxSamples = 10) {
    const clock = new FakeClock();
    const logged: string[] = [];
    const sampler = new ThroughputSampler({
      admin: {
        clusterList: () => {
          const next = answers.shift() ?? [];
          return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
        },
      },
      clock,
      log: createLogger({ clock, component: 'console', sink: (line) => logged.push(line) }),
      intervalMs: 1000,
      maxSamples,
    });
    return { clock, sampler, logged };
  }

  it('reports messages per second over all brokers between two samples', async () => {
    const { clock, sampler } = setUp([
      [member('a', 100, 50), member('b', 10, 0)],
      [member('a', 130, 60), member('b', 20, 4)],
    ]);
    sampler.start();
    await clock.advanceAsync(1000);
    await sampler.stop();
    expect(sampler.samples()).toEqual([{ atMs: clock.now(), inPerSec: 40, outPerSec: 14 }]);
  });

  it('counts a broker whose totals went down (it restarted) as 0 for that interval, and skips a new broker', async () => {
    const { clock, sampler } = setUp([
      [member('a', 100, 100)],
      [member('a', 3, 2), member('new', 500, 500)],
      [member('a', 13, 7), member('new', 510, 500)],
    ]);
    sampler.start();
    await clock.advanceAsync(2000);
    await sampler.stop();
    expect(sampler.samples().map((s) => [s.inPerSec, s.outPerSec])).toEqual([
      [0, 0],
      [20, 5],
    ]);
  });

  it('leaves a gap and logs when the cluster does not answer, and keeps the newest samples only', async () => {
    const answers: Array<ClusterMember[] | Error> = [[member('a', 0, 0)], new Error('name server down')];
    for (let i = 1; i <= 5; i++) answers.push([member('a', i * 10, 0)]);
    const { clock, sampler, logged } = setUp(answers, 3);
    sampler.start();
    await clock.advanceAsync(6000);
    await sampler.stop();
    expect(logged.join('\n')).toMatch(/throughput sample failed.*name server down/);
    expect(sampler.samples().map((s) => s.inPerSec)).toEqual([10, 10, 10]);
  });
});
