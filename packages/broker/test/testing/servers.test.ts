import http from 'node:http';
import net from 'node:net';
import { closeServer, listenOnEphemeralPort } from '../../src/testing/servers';
import { awaitEvent } from '../../src/testing/await-event';

describe('listenOnEphemeralPort', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeServer));
  });

  it('starts a net.Server on a free port that a client can connect to', async () => {
    const server = net.createServer((socket) => socket.end('hello'));
    servers.push(server);
    const port = await listenOnEphemeralPort(server);
    expect(port).toBeGreaterThan(0);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port });

    const client = net.connect(port, '127.0.0.1');
    client.setEncoding('utf8');
    const data = await awaitEvent(client, 'data', { timeoutMs: 5_000 });
    expect(data).toBe('hello');
    client.destroy();
  });

  it('gives two servers different ports', async () => {
    const a = net.createServer();
    const b = net.createServer();
    servers.push(a, b);
    const [portA, portB] = await Promise.all([listenOnEphemeralPort(a), listenOnEphemeralPort(b)]);
    expect(portA).not.toBe(portB);
  });

  it('starts an http.Server', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    servers.push(server);
    const port = await listenOnEphemeralPort(server);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('ok');
  });

  it('rejects with the listen error and leaves no listener behind', async () => {
    const server = net.createServer();
    // 192.0.2.0/24 is reserved for documentation, so no interface of this machine has it.
    const failure = listenOnEphemeralPort(server, '192.0.2.1');
    await expect(failure).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    expect(server.listenerCount('listening')).toBe(0);
    expect(server.listenerCount('error')).toBe(0);
  });
});

describe('closeServer', () => {
  it('stops the server so new connections are refused', async () => {
    const server = net.createServer();
    const port = await listenOnEphemeralPort(server);
    await closeServer(server);
    expect(server.listening).toBe(false);
    const client = net.connect(port, '127.0.0.1');
    await expect(awaitEvent(client, 'connect', { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('resolves at once for a server that is not listening', async () => {
    await expect(closeServer(net.createServer())).resolves.toBeUndefined();
  });

  it('waits for open connections to end before resolving', async () => {
    const server = net.createServer();
    const port = await listenOnEphemeralPort(server);
    const accepted = awaitEvent(server, 'connection', { timeoutMs: 5_000 });
    const client = net.connect(port, '127.0.0.1');
    const serverSide = (await accepted) as net.Socket;
    let closed = false;
    const closing = closeServer(server).then(() => {
      closed = true;
    });
    // One more trip through the event loop: the close must still be waiting on the open socket.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    serverSide.destroy();
    client.destroy();
    await closing;
    expect(closed).toBe(true);
  });
});
