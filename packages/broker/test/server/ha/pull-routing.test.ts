// suggestWhichBrokerId and whether a slave serves a pull (pull-routing.ts), as a table.

import { isReadFromDisk, routePull, type PullRoutingInput } from '../../../src/server/ha/pull-routing';

const group = { groupBrokerId: 0, whichBrokerWhenConsumeSlowly: 1 };

const cases: Array<
  [string, Omit<PullRoutingInput, 'groupBrokerId' | 'whichBrokerWhenConsumeSlowly'>, boolean, number]
> = [
  [
    'master, slave reads off',
    { role: 'ASYNC_MASTER', slaveReadEnable: false, masterReachable: true, readFromDisk: true },
    true,
    0,
  ],
  [
    'master, slave reads on, in memory',
    { role: 'SYNC_MASTER', slaveReadEnable: true, masterReachable: true, readFromDisk: false },
    true,
    0,
  ],
  [
    'master, slave reads on, from disk',
    { role: 'SYNC_MASTER', slaveReadEnable: true, masterReachable: true, readFromDisk: true },
    true,
    1,
  ],
  [
    'slave, slave reads on, in memory',
    { role: 'SLAVE', slaveReadEnable: true, masterReachable: true, readFromDisk: false },
    true,
    0,
  ],
  [
    'slave, slave reads on, from disk',
    { role: 'SLAVE', slaveReadEnable: true, masterReachable: true, readFromDisk: true },
    true,
    1,
  ],
  [
    'slave, slave reads off, master up',
    { role: 'SLAVE', slaveReadEnable: false, masterReachable: true, readFromDisk: false },
    false,
    0,
  ],
  [
    'slave, slave reads off, master down',
    { role: 'SLAVE', slaveReadEnable: false, masterReachable: false, readFromDisk: true },
    true,
    0,
  ],
];

describe('routePull', () => {
  it.each(cases)('%s', (_name, input, serve, suggestWhichBrokerId) => {
    expect(routePull({ ...group, ...input })).toEqual({ serve, suggestWhichBrokerId });
  });
});

describe('isReadFromDisk', () => {
  it('is true when the read lies more than the ratio of memory behind the log end', () => {
    expect(isReadFromDisk(0, 401, 1000, 40)).toBe(true);
    expect(isReadFromDisk(1, 401, 1000, 40)).toBe(false);
    expect(isReadFromDisk(undefined, 10_000, 1000, 40)).toBe(false);
  });
});
