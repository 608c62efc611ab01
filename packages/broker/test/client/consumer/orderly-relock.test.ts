// An orderly queue given away and taken back while its old listener call still runs: the old
// ownership's deferred unlock must not release the new broker lock (review finding 5).

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import { ALLOCATION_STRATEGIES } from '../../../src/client/consumer/allocation';
import { messageQueueKey } from '../../../src/client/consumer/message-queue';
import { ProcessQueueTable } from '../../../src/client/consumer/process-queue-table';
import { Rebalancer } from '../../../src/client/consumer/rebalance';
import { RemoteOffsetStore } from '../../../src/client/consumer/remote-offset-store';
import { FakeConsumerApi, deferred, flushPromises, mq } from './consumer-fakes';

const queue = mq('T', 'b', 0);

it('the old unlock reaches the broker before the new lock, which stays held', async () => {
  const clock = new FakeClock();
  const api = new FakeConsumerApi();
  api.queuesByTopic.set('T', [queue]);
  api.consumersByGroup.set('g', ['me']);
  const table = new ProcessQueueTable();
  const rebalancer = new Rebalancer(
    {
      group: 'g',
      clientId: 'me',
      messageModel: 'CLUSTERING',
      consumeMode: 'ORDERLY',
      allocate: ALLOCATION_STRATEGIES.AVG,
      startPolicy: { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeTimestampMs: 0 },
    },
    {
      api,
      offsetStore: new RemoteOffsetStore(api),
      table,
      clock,
      logger: silentLogger,
      startPulling: () => undefined,
    },
  );
  await rebalancer.rebalanceTopic('T');
  const old = table.get(queue);
  if (old === undefined) throw new Error('the queue was not taken');
  old.beginConsumption(); // a listener call in progress
  api.consumersByGroup.set('g', ['a', 'me']);
  await rebalancer.rebalanceTopic('T'); // given to 'a'; the unlock waits for the listener call
  api.consumersByGroup.set('g', ['me']);
  // The start offset of the re-added queue comes late, as a slow broker would answer.
  const storedOffset = deferred<number | undefined>();
  api.queryConsumerOffset = async () => {
    api.calls.push('query');
    return storedOffset.promise;
  };
  api.calls.length = 0;
  const third = rebalancer.rebalanceTopic('T'); // back to 'me'
  await flushPromises();
  old.endConsumption(); // the old listener call returns meanwhile
  await flushPromises();
  storedOffset.resolve(0);
  await third;
  await flushPromises();

  const key = messageQueueKey(queue);
  expect(api.calls).toEqual([`unlock ${key}`, `lock ${key}`, 'query']);
  expect(table.get(queue)?.holdsValidLock()).toBe(true);
});
