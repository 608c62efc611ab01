// The KVTable of GET_BROKER_RUNTIME_INFO (28) (fact sheet §2.12; RocketMQ's
// AdminBrokerProcessor.prepareRuntimeInfo plus StoreStatsService.getRuntimeInfo), with the keys
// Keel can fill truthfully. All values are strings, as in RocketMQ.
//
// Left out because Keel does not measure them (yet): msgPut/GetTotalYesterdayMorning and
// ...TodayMorning (need a day boundary), putTps, getFoundTps, getMissTps, getTotalTps,
// getTransferedTps, putLatency99/999, putMessageDistributeTime, putMessageEntireTimeMax, the
// thread-pool queue sizes and capacities (Node has no such pools), dispatchBehindBytes,
// pageCacheLockTimeMills, remainTransientStoreBufferNumbs, remainHowManyDataToCommit/Flush,
// commitLogDirCapacity and consumeQueueDiskRatio. A dashboard shows a missing key as empty, which
// is better than a made-up zero.

import { KEEL_REMOTING_VERSION } from '../../protocol/remoting/remoting-command';
import type { BrokerContext } from '../broker-context';
import { scheduleRuntimeInfo } from '../schedule/schedule-runtime-info';
import { timerRuntimeInfo } from '../timer/timer-runtime-info';
import { transactionRuntimeInfo } from '../transaction/transaction-runtime-info';
import { haRuntimeInfo } from '../ha/ha-runtime-info';

/** MQVersion.getVersionDesc of the version Keel presents itself as (KEEL_REMOTING_VERSION). */
export const KEEL_BROKER_VERSION_DESC = 'V4_9_8';

export async function brokerRuntimeInfo(context: BrokerContext): Promise<Map<string, string>> {
  const { store, stats } = context;
  const counters = stats.snapshot();
  const commitLog = store.commitLogOffsets();
  const now = context.clock.now();
  const table = new Map<string, string>([
    ['brokerVersionDesc', KEEL_BROKER_VERSION_DESC],
    ['brokerVersion', String(KEEL_REMOTING_VERSION)],
    ['bootTimestamp', String(stats.bootTimestampMs)],
    ['runtime', formatRuntime(now - stats.bootTimestampMs)],
    // RocketMQ's "today now" counters are its totals since start, which is what Keel counts.
    ['msgPutTotalTodayNow', String(counters.putMessages)],
    ['msgGetTotalTodayNow', String(counters.getMessages)],
    ['putMessageTimesTotal', String(counters.putMessages)],
    ['putMessageSizeTotal', String(counters.putBytes)],
    ['putMessageFailedTimes', String(counters.putFailures)],
    ['getMessageTransferedMsgCount', String(counters.getMessages)],
    ['commitLogMinOffset', String(commitLog.min)],
    ['commitLogMaxOffset', String(commitLog.max)],
    ['earliestMessageTimeStamp', String(await earliestMessageTime(context))],
  ]);
  const ratio = store.retentionStatus()?.usedSpaceRatio;
  // Not measured until retention's first look at the disk; absent rather than a guess until then.
  if (ratio !== undefined) table.set('commitLogDiskRatio', String(ratio));
  // Delay levels: scheduleMessageOffset_<level> and Keel's pending/next-due keys (schedule-runtime-info.ts).
  for (const [key, value] of scheduleRuntimeInfo(context.schedule.status())) table.set(key, value);
  // Delivery at a time: keelTimer* keys (timer-runtime-info.ts); none on a SLAVE.
  const timer = context.timer?.status();
  if (timer !== undefined) for (const [key, value] of timerRuntimeInfo(timer)) table.set(key, value);
  // Half messages: keelTransaction* keys (transaction-runtime-info.ts).
  for (const [key, value] of transactionRuntimeInfo(context.transactions.counters())) table.set(key, value);
  // Replication: role, slaves and how far they lag (ha-runtime-info.ts).
  for (const [key, value] of haRuntimeInfo(context.replication.status())) table.set(key, value);
  return table;
}

/** Store time of the oldest message kept, or -1 when the log holds none (RocketMQ's value then). */
async function earliestMessageTime(context: BrokerContext): Promise<number> {
  const { min, confirmed } = context.store.commitLogOffsets();
  if (min >= confirmed) return -1;
  const first = await context.store.readMessageAt(min);
  return first?.storeTimestamp ?? -1;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** StoreStatsService.getFormatRuntime: `[ 1 days, 2 hours, 3 minutes, 4 seconds ]`. */
export function formatRuntime(elapsedMs: number): string {
  const ms = Math.max(0, elapsedMs);
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((ms % MINUTE_MS) / SECOND_MS);
  return `[ ${days} days, ${hours} hours, ${minutes} minutes, ${seconds} seconds ]`;
}
