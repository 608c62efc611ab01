// Which broker of the group a consumer should pull from next (the pull response's
// suggestWhichBrokerId), and whether a slave serves a pull at all (facts §2.4, §7.2). Pure.
//
//   master, slaveReadEnable=false   → 0
//   master, slaveReadEnable=true    → the group's whichBrokerWhenConsumeSlowly (default 1) when the
//                                     read lies more than accessMessageInMemoryMaxRatio % of RAM
//                                     behind the log end (it is no longer in the page cache), else
//                                     the group's brokerId (default 0)
//   slave,  slaveReadEnable=true    → the same rule, and the pull is served
//   slave,  slaveReadEnable=false   → RocketMQ answers PULL_RETRY_IMMEDIATELY suggesting 0, always;
//                                     Keel does so only while the slave's link to its master is up.
//                                     With the master unreachable the slave serves the pull
//                                     (suggesting 0, so the consumer returns as soon as the master
//                                     is back): consumers keep reading when a master dies, whatever
//                                     slaveReadEnable says.

import type { BrokerRole } from '../broker-config';

const MASTER_BROKER_ID = 0;

export interface PullRoutingInput {
  readonly role: BrokerRole;
  readonly slaveReadEnable: boolean;
  /** A slave: whether its replication link to the master is up. Ignored on a master. */
  readonly masterReachable: boolean;
  /** The subscription group's brokerId and whichBrokerWhenConsumeSlowly. */
  readonly groupBrokerId: number;
  readonly whichBrokerWhenConsumeSlowly: number;
  /** RocketMQ's suggestPullingFromSlave: the read lies further behind the log end than memory holds. */
  readonly readFromDisk: boolean;
}

export interface PullRouting {
  /** False: answer PULL_RETRY_IMMEDIATELY (the consumer should pull from the master). */
  readonly serve: boolean;
  readonly suggestWhichBrokerId: number;
}

export function routePull(input: PullRoutingInput): PullRouting {
  const slaveRule = input.readFromDisk ? input.whichBrokerWhenConsumeSlowly : input.groupBrokerId;
  if (input.role !== 'SLAVE') {
    return { serve: true, suggestWhichBrokerId: input.slaveReadEnable ? slaveRule : MASTER_BROKER_ID };
  }
  if (input.slaveReadEnable) return { serve: true, suggestWhichBrokerId: slaveRule };
  return { serve: !input.masterReachable, suggestWhichBrokerId: MASTER_BROKER_ID };
}

/**
 * RocketMQ's test for suggestPullingFromSlave: the distance from the last record read to the end
 * of the commit log exceeds `ratioPercent` of the machine's memory.
 */
export function isReadFromDisk(
  lastReadOffset: number | undefined,
  commitLogMaxOffset: number,
  totalMemoryBytes: number,
  ratioPercent: number,
): boolean {
  if (lastReadOffset === undefined) return false;
  return commitLogMaxOffset - lastReadOffset > totalMemoryBytes * (ratioPercent / 100);
}
