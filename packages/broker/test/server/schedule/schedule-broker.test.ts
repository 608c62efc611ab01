// The schedule service as the broker runs it: started by openBrokerContext (not on a SLAVE),
// reported in GET_BROKER_RUNTIME_INFO, and persisting config/delayOffset.json at close.

import { FAKE_CLOCK_DEFAULT_EPOCH_MS, FakeClock } from '../../../src/common/fake-clock';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { brokerRuntimeInfo } from '../../../src/server/processor/broker-runtime-info';
import { DelayOffsetFile } from '../../../src/store/metadata/delay-offset-file';
import { metadataFilePaths } from '../../../src/store/metadata/metadata-paths';
import { queueMessages, sendStored } from '../delivery/send-fixtures';
import { openTestBroker } from '../processor/processor-fixtures';
import { settled } from './schedule-fixtures';

const T0 = FAKE_CLOCK_DEFAULT_EPOCH_MS;

describe('the schedule service in the broker', () => {
  it('delivers, reports pending counts and due times in runtime info, and persists offsets at close', async () => {
    const broker = await openTestBroker(['messageDelayLevel = 1s 2s']);
    const { context } = broker;
    await sendStored(context, {
      topic: 'Later',
      body: 'in two seconds',
      properties: { [MessageConst.PROPERTY_DELAY_TIME_LEVEL]: '2' },
    });

    const before = await brokerRuntimeInfo(context);
    expect(before.get('scheduleMessageOffset_1')).toBe('0,0');
    expect(before.get('scheduleMessageOffset_2')).toBe('0,1');
    expect(before.get('keelSchedulePending_1')).toBe('0');
    expect(before.get('keelSchedulePending_2')).toBe('1');
    expect(before.has('keelScheduleNextDueTime_1')).toBe(false);
    expect(before.get('keelScheduleNextDueTime_2')).toBe(String(T0 + 2000));
    expect(before.get('keelScheduleSkipped')).toBe('0');

    await broker.clock.advanceAsync(2000);
    await settled(context.schedule);
    expect((await queueMessages(context, 'Later')).map((m) => m.body?.toString())).toEqual([
      'in two seconds',
    ]);
    const after = await brokerRuntimeInfo(context);
    expect(after.get('scheduleMessageOffset_2')).toBe('1,1');
    expect(after.get('keelSchedulePending_2')).toBe('0');
    expect(after.has('keelScheduleNextDueTime_2')).toBe(false);

    await broker.close();
    const offsets = await DelayOffsetFile.load({
      disk: broker.disk,
      path: metadataFilePaths('/data/store').delayOffsets,
      clock: new FakeClock(),
    });
    expect(offsets.toRocketMqJson()).toEqual({ offsetTable: { 2: 1 } });
  });

  it('does not deliver on a SLAVE', async () => {
    const broker = await openTestBroker(['brokerRole = SLAVE', 'brokerId = 1']);
    expect(broker.context.schedule.status().delivering).toBe(false);
    expect(broker.context.schedule.status().levels).toHaveLength(18);
    await broker.close();
  });
});
