// Which consumer offsets a slave keeps and hands back to its master at a sync (offset-takeover.ts),
// as a table: local = the slave's now, synced = what it adopted at its last sync, master = the
// master's now; each row gives the adopted table and the commits sent to the master.

import { takeOverOffsets } from '../../../src/server/ha/offset-takeover';

type Table = Record<string, Record<number, number>>;

function entries(table: Table) {
  return Object.entries(table).map(([key, offsets]) => {
    const [topic, group] = key.split('@') as [string, string];
    return { topic, group, offsets: new Map(Object.entries(offsets).map(([q, o]) => [Number(q), o])) };
  });
}

function asTable(adopted: ReturnType<typeof takeOverOffsets>['adopted']): Table {
  return Object.fromEntries(
    adopted.map((e) => [
      `${e.topic}@${e.group}`,
      Object.fromEntries([...e.offsets].sort(([a], [b]) => a - b)),
    ]),
  );
}

const cases: Array<{
  name: string;
  local: Table;
  synced: Table;
  master: Table;
  adopted: Table;
  toMaster: string[];
}> = [
  {
    name: 'master up all along: the master wins',
    local: { 'T@g': { 0: 10 } },
    synced: { 'T@g': { 0: 10 } },
    master: { 'T@g': { 0: 25 } },
    adopted: { 'T@g': { 0: 25 } },
    toMaster: [],
  },
  {
    name: 'committed here while the master was away, ahead of it: kept and handed over',
    local: { 'T@g': { 0: 40, 1: 7 } },
    synced: { 'T@g': { 0: 10, 1: 7 } },
    master: { 'T@g': { 0: 10, 1: 7 } },
    adopted: { 'T@g': { 0: 40, 1: 7 } },
    toMaster: ['T@g:0=40'],
  },
  {
    name: 'committed here but the master is further still (consumers went back to it): the master wins',
    local: { 'T@g': { 0: 40 } },
    synced: { 'T@g': { 0: 10 } },
    master: { 'T@g': { 0: 55 } },
    adopted: { 'T@g': { 0: 55 } },
    toMaster: [],
  },
  {
    name: 'a group that only committed here: handed over',
    local: { 'T@new': { 2: 3 } },
    synced: {},
    master: { 'T@g': { 0: 1 } },
    adopted: { 'T@g': { 0: 1 }, 'T@new': { 2: 3 } },
    toMaster: ['T@new:2=3'],
  },
  {
    name: "an operator's reset on the master (lower) wins over an offset the slave merely copied",
    local: { 'T@g': { 0: 90 } },
    synced: { 'T@g': { 0: 90 } },
    master: { 'T@g': { 0: 5 } },
    adopted: { 'T@g': { 0: 5 } },
    toMaster: [],
  },
  {
    name: 'a group deleted on the master is dropped here',
    local: { 'T@gone': { 0: 9 } },
    synced: { 'T@gone': { 0: 9 } },
    master: {},
    adopted: {},
    toMaster: [],
  },
];

describe('takeOverOffsets', () => {
  it.each(cases)('$name', ({ local, synced, master, adopted, toMaster }) => {
    const result = takeOverOffsets({
      local: entries(local),
      lastSynced: entries(synced),
      master: entries(master),
    });
    expect(asTable(result.adopted)).toEqual(adopted);
    expect(result.toMaster.map((c) => `${c.topic}@${c.group}:${c.queueId}=${c.offset}`)).toEqual(toMaster);
  });
});
