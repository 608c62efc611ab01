// The timer service as the broker runs it: opened by openBrokerContext (not on a SLAVE), fed by
// the real send path, reported in GET_BROKER_RUNTIME_INFO, and saving its checkpoint at close.

import { FAKE_CLOCK_DEFAULT_EPOCH_MS } from '../../../src/common/fake-clock';
import { MessageConst } from '../../../src/protocol/message/message-const';
import { brokerRuntimeInfo } from '../../../src/server/processor/broker-runtime-info';
import { queueMessages, sendStored } from '../delivery/send-fixtures';
import { openTestBroker } from '../processor/processor-fixtures';

const T0 = FAKE_CLOCK_DEFAULT_EPOCH_MS;

describe('the timer service in the broker', () => {
  it('delivers a sent TIMER_DELIVER_MS message at its time and reports it in runtime info', async () => {
    const broker = await openTestBroker();
    const { context, clock } = broker;
    const parked = await sendStored(context, {
      topic: 'AtTime',
      queueId: 2,
      body: 'at T0 + 1500',
      properties: { [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(T0 + 1500) },
    });
    expect(parked.topic).toBe('rmq_sys_wheel_timer');
    await context.timer!.settled();

    const before = await brokerRuntimeInfo(context);
    expect(before.get('keelTimerPending')).toBe('1');
    expect(before.get('keelTimerNextDueTime')).toBe(String(T0 + 1500));
    expect(before.get('keelTimerDelivered')).toBe('0');
    expect(before.get('keelTimerDropped')).toBe('0');

    await clock.advanceAsync(1499);
    await context.timer!.settled();
    expect(await queueMessages(context, 'AtTime', 2)).toEqual([]);
    await clock.advanceAsync(1);
    await context.timer!.settled();
    const [delivered] = await queueMessages(context, 'AtTime', 2);
    expect(delivered?.body?.toString()).toBe('at T0 + 1500');
    expect(delivered?.storeTimestamp).toBe(T0 + 1500);

    const after = await brokerRuntimeInfo(context);
    expect(after.get('keelTimerPending')).toBe('0');
    expect(after.has('keelTimerNextDueTime')).toBe(false);
    expect(after.get('keelTimerDelivered')).toBe('1');
    await broker.close();
    expect(await broker.disk.exists('/data/store/timer/checkpoint')).toBe(true);
  });

  it('does not run on a SLAVE, and runtime info then has no timer keys', async () => {
    const broker = await openTestBroker(['brokerRole = SLAVE', 'brokerId = 1']);
    expect(broker.context.timer).toBeUndefined();
    const info = await brokerRuntimeInfo(broker.context);
    expect([...info.keys()].filter((key) => key.startsWith('keelTimer'))).toEqual([]);
    expect(await broker.disk.exists('/data/store/timer')).toBe(false);
    await broker.close();
  });
});
