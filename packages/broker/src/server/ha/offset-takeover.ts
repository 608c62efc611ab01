// Which consumer offsets a slave keeps when it syncs its master's (GET_ALL_CONSUMER_OFFSET), and
// which it hands back to the master. A pure decision, tested with tables.
//
// While a master is up, consumers commit offsets to it and the slave copies them every 10 s. While
// it is down, consumers commit to the slave (the client's fallback). RocketMQ 4.x then overwrites
// those with the master's older offsets at the first sync after the master returns, and consumers
// that restarted meanwhile replay what they had consumed. Keel's rule: an offset the slave took
// since its last successful sync ("committed here") and that is ahead of the master's is kept and
// pushed to the master (UPDATE_CONSUMER_OFFSET); every other offset is the master's. Offsets only
// move back on purpose (an operator's reset on the master), and those are not "committed here", so
// a reset made on the master wins.

import type { GroupTopicOffsets } from '../../store/metadata/consumer-offset-file';

export interface OffsetCommit {
  readonly topic: string;
  readonly group: string;
  readonly queueId: number;
  readonly offset: number;
}

/** One (topic, group)'s offsets, owned by the caller. */
export interface OwnedOffsets extends GroupTopicOffsets {
  readonly offsets: Map<number, number>;
}

export interface OffsetTakeover {
  /** The slave's new table: the master's, with the slave's newer local commits. */
  readonly adopted: OwnedOffsets[];
  /** Local commits ahead of the master's: to send to the master so that it takes them over. */
  readonly toMaster: OffsetCommit[];
}

export function takeOverOffsets(input: {
  /** The slave's table now. */
  readonly local: readonly GroupTopicOffsets[];
  /** The table the slave adopted at its last successful sync (after a start: what it loaded). */
  readonly lastSynced: readonly GroupTopicOffsets[];
  /** The master's table now. */
  readonly master: readonly GroupTopicOffsets[];
}): OffsetTakeover {
  const synced = byKey(input.lastSynced);
  const adopted = byKey(input.master);
  const toMaster: OffsetCommit[] = [];
  for (const { topic, group, offsets } of input.local) {
    const key = keyOf(topic, group);
    const before = synced.get(key)?.offsets;
    for (const [queueId, offset] of offsets) {
      if (before?.get(queueId) === offset) continue;
      const masters = adopted.get(key)?.offsets;
      const masterOffset = masters?.get(queueId);
      if (masterOffset !== undefined && masterOffset >= offset) continue;
      toMaster.push({ topic, group, queueId, offset });
      if (masters === undefined) adopted.set(key, { topic, group, offsets: new Map([[queueId, offset]]) });
      else masters.set(queueId, offset);
    }
  }
  return { adopted: [...adopted.values()], toMaster };
}

function byKey(entries: readonly GroupTopicOffsets[]): Map<string, OwnedOffsets> {
  return new Map(
    entries.map(({ topic, group, offsets }) => [
      keyOf(topic, group),
      { topic, group, offsets: new Map(offsets) },
    ]),
  );
}

function keyOf(topic: string, group: string): string {
  return `${topic}@${group}`;
}
