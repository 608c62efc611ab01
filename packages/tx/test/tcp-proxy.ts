// A TCP proxy in front of PostgreSQL that a test can cut, to play "the database went away" after
// a DataSource connected: live connections break and new ones are refused.

import { createServer, connect, type Socket } from 'node:net';
import { listenOnEphemeralPort } from '@keel/broker/testing';

export interface CuttableProxy {
  readonly port: number;
  /** Breaks every connection and stops accepting new ones. */
  cut(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A reset connection is what this proxy is for; the peers see it as a closed socket.
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await listenOnEphemeralPort(server);
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
