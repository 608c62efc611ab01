// Where a benchmark child process finds the system under test, sent to it over IPC (plain data).
// The parent prepares the topic, stream or queue; children only open producers and consumers.

export interface KeelTarget {
  readonly system: 'keel';
  readonly nameServer: string;
  readonly topic: string;
}

export interface NatsTarget {
  readonly system: 'nats';
  readonly servers: string;
  readonly stream: string;
  readonly subject: string;
}

export interface RabbitMqTarget {
  readonly system: 'rabbitmq';
  readonly url: string;
  readonly queue: string;
}

export type PeerTarget = KeelTarget | NatsTarget | RabbitMqTarget;

/** A producer of one system: `publish` resolves once the system acknowledged the message. */
export interface PeerProducer {
  publish(body: Buffer): Promise<void>;
  /** One request for several messages, where the system has such an API (Keel's sendBatch). */
  publishBatch?(bodies: readonly Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** A running consumer; it hands every body to the callback it was opened with. */
export interface PeerConsumer {
  close(): Promise<void>;
}

export type BodyListener = (body: Buffer) => void;
