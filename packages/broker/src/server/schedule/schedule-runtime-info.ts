// The schedule service's rows of GET_BROKER_RUNTIME_INFO, one set per configured delay level:
//
//   scheduleMessageOffset_<level>    `<deliveredOffset>,<maxOffset>` of the level's queue in
//                                    SCHEDULE_TOPIC_XXXX (RocketMQ's key and format; dashboards read it)
//   keelSchedulePending_<level>      parked messages of the level not yet delivered
//   keelScheduleNextDueTime_<level>  epoch ms when the level's next delivery is due; absent when
//                                    nothing is pending (or the next entry is not readable yet)
//   keelScheduleSkipped              entries skipped since start because they could not be
//                                    delivered (no REAL_TOPIC, record gone, refused by the store);
//                                    each is logged
//
// Values are strings, as every value of that table.

import type { ScheduleStatus } from './schedule-message-service';

export function scheduleRuntimeInfo(status: ScheduleStatus): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  let skipped = 0;
  for (const level of status.levels) {
    rows.push([`scheduleMessageOffset_${level.level}`, `${level.deliveredOffset},${level.maxOffset}`]);
    rows.push([`keelSchedulePending_${level.level}`, String(level.pending)]);
    if (level.nextDueAtMs !== undefined) {
      rows.push([`keelScheduleNextDueTime_${level.level}`, String(level.nextDueAtMs)]);
    }
    skipped += level.skipped;
  }
  rows.push(['keelScheduleSkipped', String(skipped)]);
  return rows;
}
