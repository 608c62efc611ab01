// The timer service's rows of GET_BROKER_RUNTIME_INFO, named like the schedule service's:
//
//   keelTimerPending        timed messages stored and not yet delivered (filed on disk, loaded,
//                           being delivered, or not yet filed)
//   keelTimerNextDueTime    epoch ms when the earliest filed one is due; absent when none is
//   keelTimerDelivered      messages delivered since start
//   keelTimerDropped        messages given up since start (record gone or damaged); each is logged
//
// Absent altogether on a SLAVE, which runs no timer service. Values are strings, as every value of
// that table.

import type { TimerStatus } from './timer-service';

export function timerRuntimeInfo(status: TimerStatus): Array<[string, string]> {
  const rows: Array<[string, string]> = [['keelTimerPending', String(status.pendingMessages)]];
  if (status.nextDueMs !== undefined) rows.push(['keelTimerNextDueTime', String(status.nextDueMs)]);
  rows.push(['keelTimerDelivered', String(status.deliveredMessages)]);
  rows.push(['keelTimerDropped', String(status.droppedMessages)]);
  return rows;
}
