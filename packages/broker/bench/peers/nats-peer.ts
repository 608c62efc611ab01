// NATS JetStream through its official Node client: a stream with file storage (the server's
// default persistence: written before the publish is acknowledged, fsynced on its sync interval,
// like Keel's ASYNC_FLUSH), `js.publish` awaiting the PubAck, and a durable pull consumer
// with explicit acks for latency.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { BodyListener, NatsTarget, PeerConsumer, PeerProducer } from './peer-target';

const CONSUMER_NAME = 'bench-latency';
const CONSUMER_BATCH = 1000;

/** Creates the stream afresh (an earlier, interrupted run may have left one). */
export async function prepareNatsStream(target: NatsTarget): Promise<void> {
  await withConnection(target, async (connection) => {
    const manager = await jetstreamManager(connection);
    for await (const name of manager.streams.names()) {
      if (name === target.stream) await manager.streams.delete(name);
    }
    await manager.streams.add({ name: target.stream, subjects: [target.subject], storage: StorageType.File });
  });
}

export async function dropNatsStream(target: NatsTarget): Promise<void> {
  await withConnection(target, async (connection) => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(target.stream);
  });
}

export async function openNatsProducer(target: NatsTarget): Promise<PeerProducer> {
  const connection = await connect({ servers: target.servers });
  const js = jetstream(connection);
  return {
    async publish(body) {
      await js.publish(target.subject, body);
    },
    close: () => connection.drain(),
  };
}

export async function openNatsConsumer(
  target: NatsTarget,
  onBody: BodyListener,
  onError: (error: unknown) => void,
): Promise<PeerConsumer> {
  const connection = await connect({ servers: target.servers });
  const manager = await jetstreamManager(connection);
  await manager.consumers.add(target.stream, {
    durable_name: CONSUMER_NAME,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(connection).consumers.get(target.stream, CONSUMER_NAME);
  const messages = await consumer.consume({ max_messages: CONSUMER_BATCH });
  const reading = (async () => {
    for await (const message of messages) {
      const data = message.data;
      onBody(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      message.ack();
    }
  })();
  reading.catch(onError);
  return {
    async close() {
      await messages.close();
      await reading;
      await connection.drain();
    },
  };
}

async function withConnection<T>(target: NatsTarget, use: (connection: NatsConnection) => Promise<T>) {
  const connection = await connect({ servers: target.servers });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}
