// Topic administration: create/update on the masters of a cluster or one broker, delete everywhere,
// list, and per-queue offsets (mqadmin's updateTopic, deleteTopic, topicList, topicStatus).

import { decodeTopicStatsTable } from '../../protocol/bodies/queue-stats-bodies';
import { decodeTopicList } from '../../protocol/bodies/simple-bodies';
import {
  CreateTopicRequestHeader,
  DeleteTopicRequestHeader,
  GetTopicStatsInfoRequestHeader,
} from '../../protocol/headers/admin-headers';
import { DeleteTopicFromNamesrvRequestHeader } from '../../protocol/headers/namesrv-headers';
import { PERM_READ_WRITE } from '../../protocol/perm-name';
import { RequestCode } from '../../protocol/remoting/request-code';
import { AdminError, AdminErrorCodes } from './admin-errors';
import { askSuccess, expectCode, type AdminRequester } from './admin-requester';
import {
  findBroker,
  mastersOf,
  readClusterInfo,
  readTopicRoute,
  routeMasters,
  type MasterBroker,
} from './cluster-view';

/** Where an operation goes: every master of a cluster, or one broker (name or `host:port`). */
export interface BrokerTarget {
  readonly cluster?: string | undefined;
  readonly broker?: string | undefined;
}

export interface TopicSettings extends BrokerTarget {
  readonly topic: string;
  /** Default 8, as mqadmin. */
  readonly readQueueNums?: number | undefined;
  /** Default 8, as mqadmin. */
  readonly writeQueueNums?: number | undefined;
  /** PermName bits; default 6 (read + write). */
  readonly perm?: number | undefined;
  readonly order?: boolean | undefined;
}

export const TOPIC_DEFAULTS = { readQueueNums: 8, writeQueueNums: 8, perm: PERM_READ_WRITE } as const;

/** The template topic RocketMQ's tools name in UPDATE_AND_CREATE_TOPIC; brokers ignore it. */
const DEFAULT_TOPIC = 'TBW102';

export async function targetMasters(
  requester: AdminRequester,
  target: BrokerTarget,
): Promise<MasterBroker[]> {
  if (target.cluster === undefined && target.broker === undefined) {
    throw new AdminError(
      AdminErrorCodes.INVALID_ARGUMENT,
      'say where: a cluster (-c DefaultCluster) or a broker (-b broker-a or -b host:port)',
    );
  }
  const info = await readClusterInfo(requester);
  if (target.broker !== undefined) return [findBroker(info, target.broker)];
  return mastersOf(info, target.cluster);
}

/** UPDATE_AND_CREATE_TOPIC on each target master; resolves with the brokers updated. */
export async function createOrUpdateTopic(
  requester: AdminRequester,
  settings: TopicSettings,
): Promise<MasterBroker[]> {
  const masters = await targetMasters(requester, settings);
  const extFields = CreateTopicRequestHeader.encode({
    topic: settings.topic,
    defaultTopic: DEFAULT_TOPIC,
    readQueueNums: settings.readQueueNums ?? TOPIC_DEFAULTS.readQueueNums,
    writeQueueNums: settings.writeQueueNums ?? TOPIC_DEFAULTS.writeQueueNums,
    perm: settings.perm ?? TOPIC_DEFAULTS.perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: settings.order ?? false,
  });
  for (const master of masters)
    await askSuccess(requester, master.address, { code: RequestCode.UPDATE_AND_CREATE_TOPIC, extFields });
  return masters;
}

export interface TopicDeletion {
  readonly brokers: readonly MasterBroker[];
  readonly nameServers: readonly string[];
}

/**
 * DELETE_TOPIC_IN_BROKER on the masters of `cluster` (every master when absent), then
 * DELETE_TOPIC_IN_NAMESRV on every name server, so no name server keeps routing to it.
 */
export async function deleteTopic(
  requester: AdminRequester,
  topic: string,
  cluster?: string,
): Promise<TopicDeletion> {
  const masters = mastersOf(await readClusterInfo(requester), cluster);
  const brokerFields = DeleteTopicRequestHeader.encode({ topic });
  for (const master of masters)
    await askSuccess(requester, master.address, {
      code: RequestCode.DELETE_TOPIC_IN_BROKER,
      extFields: brokerFields,
    });
  const nameServerFields = DeleteTopicFromNamesrvRequestHeader.encode({ topic });
  for (const address of requester.nameServers)
    await askSuccess(requester, address, {
      code: RequestCode.DELETE_TOPIC_IN_NAMESRV,
      extFields: nameServerFields,
    });
  return { brokers: masters, nameServers: requester.nameServers };
}

/** Every topic the name servers route, sorted. */
export async function topicList(requester: AdminRequester): Promise<string[]> {
  const answer = await requester.askNameServer({ code: RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER });
  return [...decodeTopicList(expectCode(answer).body).topicList].sort();
}

export interface QueueStatus {
  readonly brokerName: string;
  readonly queueId: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Store time of the queue's newest message, ms; 0 when it is empty. */
  readonly lastUpdateTimestamp: number;
}

/** GET_TOPIC_STATS_INFO on each master of the route, merged; by broker name, then queue id. */
export async function topicStatus(requester: AdminRequester, topic: string): Promise<QueueStatus[]> {
  const route = await readTopicRoute(requester, topic);
  const extFields = GetTopicStatsInfoRequestHeader.encode({ topic });
  const rows: QueueStatus[] = [];
  for (const master of routeMasters(route)) {
    const response = await askSuccess(requester, master.address, {
      code: RequestCode.GET_TOPIC_STATS_INFO,
      extFields,
    });
    for (const [queue, offsets] of decodeTopicStatsTable(response.body).offsetTable)
      rows.push({ brokerName: queue.brokerName, queueId: queue.queueId, ...offsets });
  }
  return rows.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}
