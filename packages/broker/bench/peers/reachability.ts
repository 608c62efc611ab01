// Whether a peer is listening: a TCP connect with a short timeout, so an absent NATS or RabbitMQ
// makes the benchmark skip it instead of failing.
import { connect } from 'node:net';

export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    // A refused or unroutable connect is the answer "not reachable", not a failure of the bench.
    socket.once('error', () => done(false));
  });
}
