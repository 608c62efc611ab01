// RabbitMQ through amqplib: a quorum queue (replicated log, fsynced before it confirms), persistent
// messages on a confirm channel (`publish` resolves on the broker's confirm), and a consumer with
// manual acks for latency.
import { connect, type ChannelModel } from 'amqplib';
import { BenchError, BenchErrorCode } from '../bench-errors';
import type { BodyListener, PeerConsumer, PeerProducer, RabbitMqTarget } from './peer-target';

/** Unacknowledged deliveries the consumer may hold; enough that acks never throttle 5,000 msgs/s. */
const CONSUMER_PREFETCH = 1000;
const QUORUM_QUEUE = { durable: true, arguments: { 'x-queue-type': 'quorum' } } as const;

/** Creates the quorum queue afresh (an earlier, interrupted run may have left one). */
export async function prepareRabbitQueue(target: RabbitMqTarget): Promise<void> {
  await withChannel(target, async (connection) => {
    const channel = await connection.createChannel();
    await channel.deleteQueue(target.queue);
    await channel.assertQueue(target.queue, QUORUM_QUEUE);
    await channel.close();
  });
}

export async function dropRabbitQueue(target: RabbitMqTarget): Promise<void> {
  await withChannel(target, async (connection) => {
    const channel = await connection.createChannel();
    await channel.deleteQueue(target.queue);
    await channel.close();
  });
}

export async function openRabbitProducer(target: RabbitMqTarget): Promise<PeerProducer> {
  const connection = await connect(target.url);
  const channel = await connection.createConfirmChannel();
  return {
    publish(body) {
      return new Promise<void>((resolve, reject) => {
        channel.sendToQueue(target.queue, body, { persistent: true }, (error: unknown) => {
          if (error === null || error === undefined) resolve();
          else
            reject(
              new BenchError(BenchErrorCode.PUBLISH_REFUSED, 'RabbitMQ nacked a publish', { cause: error }),
            );
        });
      });
    },
    close: () => connection.close(),
  };
}

export async function openRabbitConsumer(
  target: RabbitMqTarget,
  onBody: BodyListener,
  onError: (error: unknown) => void,
): Promise<PeerConsumer> {
  const connection = await connect(target.url);
  connection.on('error', onError);
  const channel = await connection.createChannel();
  await channel.prefetch(CONSUMER_PREFETCH);
  await channel.consume(
    target.queue,
    (message) => {
      if (message === null) {
        onError(
          new BenchError(BenchErrorCode.CONSUME_FAILED, `RabbitMQ cancelled the consumer of ${target.queue}`),
        );
        return;
      }
      onBody(message.content);
      channel.ack(message);
    },
    { noAck: false },
  );
  return { close: () => connection.close() };
}

async function withChannel(target: RabbitMqTarget, use: (connection: ChannelModel) => Promise<void>) {
  const connection = await connect(target.url);
  try {
    await use(connection);
  } finally {
    await connection.close();
  }
}
