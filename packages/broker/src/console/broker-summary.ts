// One broker of the overview, read from its GET_BROKER_RUNTIME_INFO table (strings, keys as
// broker-runtime-info.ts and RocketMQ name them). A key the broker does not report is null, never
// a made-up zero: Keel fills only what it measures, and a RocketMQ broker fills other keys.

import type { ClusterMember } from '../client/admin/cluster-admin';

export interface BrokerSummary {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly role: 'MASTER' | 'SLAVE';
  readonly address: string;
  readonly version: string | null;
  readonly bootTimestamp: number | null;
  /** Used fraction (0..1) of the store's fullest partition. */
  readonly diskUsedRatio: number | null;
  /** Bytes a slave is behind its master (RocketMQ's slaveFallBehindMuch), when the broker reports it. */
  readonly replicationLagBytes: number | null;
  readonly putTotal: number | null;
  readonly getTotal: number | null;
  readonly halfPending: number | null;
  readonly halfParked: number | null;
  /** Messages waiting on a delay level, all levels together. */
  readonly delayedPending: number | null;
  /** Messages waiting for a delivery time. */
  readonly timedPending: number | null;
  /** Why the runtime figures are missing (the broker did not answer). */
  readonly error: string | null;
}

const MASTER_ID = 0;

export function summarizeBroker(member: ClusterMember): BrokerSummary {
  const { runtime } = member;
  const number = (key: string) => numberOf(runtime.get(key));
  return {
    cluster: member.cluster,
    brokerName: member.brokerName,
    brokerId: member.brokerId,
    role: member.brokerId === MASTER_ID ? 'MASTER' : 'SLAVE',
    address: member.address,
    version: runtime.get('brokerVersionDesc') ?? null,
    bootTimestamp: number('bootTimestamp'),
    diskUsedRatio: number('commitLogDiskRatio'),
    replicationLagBytes: number('slaveFallBehindMuch'),
    putTotal: number('msgPutTotalTodayNow'),
    getTotal: number('msgGetTotalTodayNow'),
    halfPending: number('keelTransactionHalfPending'),
    halfParked: number('keelTransactionHalfParked'),
    delayedPending: sumOf(runtime, 'keelSchedulePending_'),
    timedPending: number('keelTimerPending'),
    error: member.error ?? null,
  };
}

function numberOf(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function sumOf(runtime: ReadonlyMap<string, string>, prefix: string): number | null {
  let sum: number | null = null;
  for (const [key, text] of runtime) {
    const value = key.startsWith(prefix) ? numberOf(text) : null;
    if (value !== null) sum = (sum ?? 0) + value;
  }
  return sum;
}
