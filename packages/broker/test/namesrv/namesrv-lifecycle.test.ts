// How brokers leave a name server's routes (expiry scan, closed connection), independence of two
// name servers, and what close() releases (port, timers).

import { FakeClock } from '../../src/common/fake-clock';
import type { NameServer } from '../../src/namesrv/name-server';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { waitFor } from '../../src/testing/await-event';
import type { RemotingClient } from '../../src/transport/remoting-client';
import { RemotingConnectError } from '../../src/transport/transport-errors';
import {
  BROKER_EXPIRY_MS,
  call,
  fetchRoute,
  masterBroker,
  newClient,
  registerBroker,
  SCAN_INTERVAL_MS,
  startNameServer,
} from './namesrv-fixtures';

describe('name server lifecycle', () => {
  const clients: RemotingClient[] = [];
  const servers: NameServer[] = [];

  function client(): RemotingClient {
    const created = newClient();
    clients.push(created);
    return created;
  }

  async function start(options: Parameters<typeof startNameServer>[0] = {}): Promise<NameServer> {
    const server = await startNameServer(options);
    servers.push(server);
    return server;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('drops a broker that stops registering at the first scan after 120 s, not before', async () => {
    const clock = new FakeClock();
    const nameServer = await start({ clock });
    const broker = client();
    const address = nameServer.address;
    expect((await registerBroker(broker, address, masterBroker())).code).toBe(ResponseCode.SUCCESS);
    const connection = await broker.connection(address);

    // The server also closes connections idle for 120 s on this clock, and a closed connection
    // removes its broker at once. Traffic that is not a registration keeps the connection alive
    // without renewing the broker, so only the expiry scan can remove it.
    clock.advance(BROKER_EXPIRY_MS / 2);
    expect((await call(broker, address, RequestCode.GET_KV_CONFIG, { namespace: 'N', key: 'K' })).code).toBe(
      ResponseCode.QUERY_NOT_FOUND,
    );

    // Exactly 120 s after the registration: the scan runs but the broker is not yet *older* than that.
    clock.advance(BROKER_EXPIRY_MS / 2);
    expect(nameServer.routes.isLive(masterBroker().brokerAddr)).toBe(true);
    expect(await fetchRoute(broker, address, 'TopicTest')).toBeDefined();

    clock.advance(SCAN_INTERVAL_MS - 1);
    expect(await fetchRoute(broker, address, 'TopicTest')).toBeDefined();

    clock.advance(1);
    expect(await fetchRoute(broker, address, 'TopicTest')).toBeUndefined();
    expect(nameServer.routes.isLive(masterBroker().brokerAddr)).toBe(false);
    // It was the scan, not the idle check: the broker's connection is still open.
    expect(connection.isOpen).toBe(true);
  });

  it('keeps a broker that registers every 30 s routed', async () => {
    const clock = new FakeClock();
    const nameServer = await start({ clock });
    const broker = client();
    for (let elapsedMs = 0; elapsedMs <= 3 * BROKER_EXPIRY_MS; elapsedMs += 30_000) {
      expect((await registerBroker(broker, nameServer.address, masterBroker())).code).toBe(
        ResponseCode.SUCCESS,
      );
      clock.advance(30_000);
    }
    expect(await fetchRoute(broker, nameServer.address, 'TopicTest')).toBeDefined();
  });

  it('drops a broker at once when its connection closes', async () => {
    const nameServer = await start();
    const broker = client();
    const admin = client();
    await registerBroker(broker, nameServer.address, masterBroker());
    expect(await fetchRoute(admin, nameServer.address, 'TopicTest')).toBeDefined();

    await broker.close();
    await waitFor(async () => (await fetchRoute(admin, nameServer.address, 'TopicTest')) === undefined, {
      timeoutMs: 2000,
      description: 'route of TopicTest gone after the broker disconnected',
    });
    expect(nameServer.routes.isLive(masterBroker().brokerAddr)).toBe(false);
  });

  it('keeps a broker whose old connection closes after it re-registered on a new one', async () => {
    const nameServer = await start();
    const oldConnection = client();
    const newConnection = client();
    const moved = masterBroker();
    // Registered on the old connection only: its removal shows the server has handled the close.
    const witness = masterBroker({ brokerName: 'broker-w', brokerAddr: '10.0.0.9:10911', topics: [] });
    await registerBroker(oldConnection, nameServer.address, moved);
    await registerBroker(oldConnection, nameServer.address, witness);
    await registerBroker(newConnection, nameServer.address, moved);

    await oldConnection.close();
    await waitFor(() => !nameServer.routes.isLive(witness.brokerAddr), {
      timeoutMs: 2000,
      description: 'the witness broker removed with the old connection',
    });
    expect(nameServer.routes.isLive(moved.brokerAddr)).toBe(true);
    expect(await fetchRoute(newConnection, nameServer.address, 'TopicTest')).toBeDefined();
  });

  it('two name servers route a broker registered with both; closing one leaves the other intact', async () => {
    const first = await start();
    const second = await start();
    const broker = client();
    for (const server of [first, second]) {
      expect((await registerBroker(broker, server.address, masterBroker())).code).toBe(ResponseCode.SUCCESS);
      expect(await fetchRoute(broker, server.address, 'TopicTest')).toBeDefined();
    }
    await first.close();
    // A fresh client: the broker's own connection may still be seeing the close.
    await expect(
      call(client(), first.address, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }),
    ).rejects.toThrow(RemotingConnectError);
    expect(await fetchRoute(broker, second.address, 'TopicTest')).toBeDefined();
    expect(second.routes.isLive(masterBroker().brokerAddr)).toBe(true);
  });

  it('close() stops serving, releases its port and clears its timers', async () => {
    const clock = new FakeClock();
    const nameServer = await start({ clock });
    const port = nameServer.port;
    const broker = client();
    await registerBroker(broker, nameServer.address, masterBroker());
    expect(clock.pendingTimers()).toBeGreaterThan(0);

    await nameServer.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(nameServer.port).toBe(port);
    await expect(nameServer.close()).resolves.toBeUndefined();

    const again = await start({ listenPort: port });
    expect(again.port).toBe(port);
    const response = await call(client(), again.address, RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      topic: 'TopicTest',
    });
    // A new name server knows nothing of the old one's brokers.
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});
