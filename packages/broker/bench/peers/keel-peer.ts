// Keel through its public client (`@keel/broker/client`): the Producer for sends, and for
// consuming the long-polling pull loop of keel-pull-loop.ts (no push consumer is exported yet).
import { Producer, SendStatus } from '@keel/broker/client';
import { BenchError, BenchErrorCode } from '../bench-errors';
import { KeelPullLoop } from './keel-pull-loop';
import type { BodyListener, KeelTarget, PeerConsumer, PeerProducer } from './peer-target';

const PRODUCER_GROUP = 'bench-client-producer';
/** The consumer child's producer exists only to own a running ClientInstance (routes, heartbeats). */
const CONSUMER_CLIENT_GROUP = 'bench-client-consumer-client';

export async function openKeelProducer(target: KeelTarget): Promise<PeerProducer> {
  const producer = new Producer({ group: PRODUCER_GROUP, nameServer: target.nameServer });
  await producer.start();
  return {
    async publish(body) {
      const result = await producer.send({ topic: target.topic, body });
      if (result.status !== SendStatus.SEND_OK)
        throw new BenchError(BenchErrorCode.PUBLISH_REFUSED, `Keel send answered ${result.status}`);
    },
    async publishBatch(bodies) {
      const result = await producer.sendBatch(bodies.map((body) => ({ topic: target.topic, body })));
      if (result.status !== SendStatus.SEND_OK)
        throw new BenchError(BenchErrorCode.PUBLISH_REFUSED, `Keel batch send answered ${result.status}`);
    },
    close: () => producer.shutdown(),
  };
}

export async function openKeelConsumer(
  target: KeelTarget,
  onBody: BodyListener,
  onError: (error: unknown) => void,
): Promise<PeerConsumer> {
  const client = new Producer({ group: CONSUMER_CLIENT_GROUP, nameServer: target.nameServer });
  await client.start();
  const instance = client.clientInstance;
  if (instance === undefined) throw new BenchError(BenchErrorCode.SETUP_FAILED, 'no client instance');
  const loop = await KeelPullLoop.start({ instance, topic: target.topic, onBody, onError });
  return {
    async close() {
      loop.stop();
      await client.shutdown();
    },
  };
}
