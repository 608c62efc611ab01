// Real sockets on ports the OS picks, so tests can run in parallel without colliding on a port.

import { createServer, type AddressInfo, type Server } from 'node:net';
import { IllegalStateError } from '../common/errors';

/**
 * Starts `server` (a net.Server or an http.Server) on an ephemeral port of `host` and resolves
 * with the port once it is listening, or rejects with the listen error (e.g. EADDRNOTAVAIL).
 */
export function listenOnEphemeralPort(server: Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new IllegalStateError(`server is listening on ${String(address)}, not on a TCP port`));
        return;
      }
      resolve((address satisfies AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(0, host);
  });
}

/**
 * Stops accepting connections and resolves once the server has closed, which Node delays until
 * every open connection has ended: a close that hangs here means the code under test leaks a
 * socket, so connections are deliberately not destroyed for it. Resolves at once if the server is
 * not listening, so it is safe in an afterEach that runs after a failed start.
 */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
}

/**
 * A listenPort for a broker in tests: the broker also needs listenPort - 2 (VIP) and, with
 * replication, listenPort + 1 (HA), so one ephemeral port is not enough. Picks an ephemeral port
 * and checks its neighbours are free too; another process can still take them before the broker
 * binds, which the caller sees as EADDRINUSE (rare; retried by starting again).
 */
export async function findFreeBrokerPort(host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const probe = createServer();
    const port = await listenOnEphemeralPort(probe, host);
    await closeServer(probe);
    if (port < 1026 || port > 65533) continue;
    if ((await isFree(port - 2, host)) && (await isFree(port + 1, host)) && (await isFree(port, host)))
      return port;
  }
  throw new IllegalStateError(
    `found no free port with free neighbours on ${host} after ${attempts} attempts`,
  );
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => {
      server.close(() => resolve(true));
    });
  });
}
