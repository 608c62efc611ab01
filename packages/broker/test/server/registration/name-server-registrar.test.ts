import { createServer } from 'node:net';

import { systemClock } from '../../../src/common/clock';
import { FakeClock } from '../../../src/common/fake-clock';
import { createLogger, type Logger } from '../../../src/common/logger';
import type { NameServer } from '../../../src/namesrv/name-server';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import {
  NameServerRegistrar,
  type BrokerRegistrationIdentity,
} from '../../../src/server/registration/name-server-registrar';
import type { DataVersion } from '../../../src/store/metadata/data-version';
import type { TopicConfig } from '../../../src/store/metadata/topic-config-file';
import { closeServer, listenOnEphemeralPort } from '../../../src/testing/servers';
import { RemotingClient } from '../../../src/transport/remoting-client';
import { fetchRoute, startNameServer, topic } from '../../namesrv/namesrv-fixtures';

const PERIOD_MS = 30_000;

const IDENTITY: BrokerRegistrationIdentity = {
  clusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  brokerId: 0,
  brokerAddr: '10.0.0.5:10911',
  haServerAddr: '10.0.0.5:10912',
};

/** A client that records the requests it sends and can wait until some have been answered. */
class CountingClient extends RemotingClient {
  readonly sent: Array<{ readonly address: string; readonly code: number }> = [];
  #settled = 0;
  #inFlight = 0;
  maxInFlight = 0;
  readonly #waiters: Array<{ readonly count: number; readonly resolve: () => void }> = [];

  override async invoke(
    address: string,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    this.sent.push({ address, code: request.code });
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    try {
      return await super.invoke(address, request, timeoutMs);
    } finally {
      this.#inFlight--;
      this.#settled++;
      for (const waiter of [...this.#waiters]) {
        if (this.#settled < waiter.count) continue;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  count(code: number, address?: string): number {
    return this.sent.filter((r) => r.code === code && (address === undefined || r.address === address))
      .length;
  }

  /** Resolves once `count` requests in all have been answered (or failed). */
  settled(count: number): Promise<void> {
    if (this.#settled >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

/** Lets the registrar's continuations after the last answer run (they are promise callbacks only). */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  readonly registrar: NameServerRegistrar;
  readonly client: CountingClient;
  readonly clock: FakeClock;
  readonly lines: string[];
  /** Adds a topic to the broker's table (what the registrar reports next). */
  addTopic(name: string): void;
}

const REGISTER = RequestCode.REGISTER_BROKER;

describe('NameServerRegistrar', () => {
  const nameServers: NameServer[] = [];
  const clients: RemotingClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(nameServers.splice(0).map((server) => server.close()));
  });

  async function nameServer(listenPort = 0): Promise<NameServer> {
    const server = await startNameServer({ listenPort });
    nameServers.push(server);
    return server;
  }

  /** A client for checking routes, separate from the registrar's (whose connection is the broker's). */
  function observer(): RemotingClient {
    const client = new RemotingClient({ clock: systemClock });
    clients.push(client);
    return client;
  }

  function rig(addresses: readonly string[]): Rig {
    const clock = new FakeClock();
    const lines: string[] = [];
    const log: Logger = createLogger({
      clock,
      component: 'registrar',
      level: 'info',
      sink: (l) => lines.push(l),
    });
    const client = new CountingClient({ clock: systemClock });
    clients.push(client);
    const topics: TopicConfig[] = [topic('TopicA')];
    let dataVersion: DataVersion = { timestamp: clock.now(), counter: 1 };
    const registrar = new NameServerRegistrar({
      identity: IDENTITY,
      nameServers: addresses,
      client,
      clock,
      log,
      periodMs: PERIOD_MS,
      timeoutMs: 3000,
      topics: () => ({ dataVersion, topics }),
    });
    return {
      registrar,
      client,
      clock,
      lines,
      addTopic: (name) => {
        topics.push(topic(name));
        dataVersion = { timestamp: clock.now(), counter: dataVersion.counter + 1 };
      },
    };
  }

  async function brokersRouting(address: string, topicName: string): Promise<string[]> {
    const route = await fetchRoute(observer(), address, topicName);
    return route?.brokerDatas.map((b) => b.brokerName) ?? [];
  }

  /** A port nothing listens on: a name server that is down. */
  async function closedPort(): Promise<number> {
    const probe = createServer();
    const port = await listenOnEphemeralPort(probe);
    await closeServer(probe);
    return port;
  }

  it('registers with every name server in parallel at start', async () => {
    const [a, b] = [await nameServer(), await nameServer()];
    const { registrar, client } = rig([a.address, b.address]);
    await registrar.start();
    expect(client.count(REGISTER, a.address)).toBe(1);
    expect(client.count(REGISTER, b.address)).toBe(1);
    expect(client.maxInFlight).toBe(2);
    expect(registrar.lastOutcomes.map((o) => [o.nameServer, o.ok])).toEqual([
      [a.address, true],
      [b.address, true],
    ]);
    expect(await brokersRouting(a.address, 'TopicA')).toEqual(['broker-a']);
    expect(await brokersRouting(b.address, 'TopicA')).toEqual(['broker-a']);
    await registrar.stop();
  });

  it('registers exactly once more after topic changes during a registration, with the new topics', async () => {
    const [a, b] = [await nameServer(), await nameServer()];
    const { registrar, client, addTopic } = rig([a.address, b.address]);
    await registrar.start();
    const inFlight = registrar.registerAll();
    addTopic('TopicB');
    registrar.topicsChanged();
    addTopic('TopicC');
    registrar.topicsChanged();
    registrar.topicsChanged();
    await inFlight;
    // One at start, the one in flight, then one for all three changes.
    expect(client.count(REGISTER, a.address)).toBe(3);
    expect(client.count(REGISTER, b.address)).toBe(3);
    for (const address of [a.address, b.address]) {
      expect(await brokersRouting(address, 'TopicB')).toEqual(['broker-a']);
      expect(await brokersRouting(address, 'TopicC')).toEqual(['broker-a']);
    }
    // With nothing in flight, a change registers at once, once.
    registrar.topicsChanged();
    await client.settled(client.sent.length);
    await settleMicrotasks();
    expect(client.count(REGISTER)).toBe(8);
    await registrar.stop();
  });

  it('re-registers every period on the clock', async () => {
    const a = await nameServer();
    const { registrar, client, clock } = rig([a.address]);
    await registrar.start();
    expect(client.count(REGISTER)).toBe(1);
    clock.advance(PERIOD_MS - 1);
    await settleMicrotasks();
    expect(client.count(REGISTER)).toBe(1);
    clock.advance(1);
    expect(client.count(REGISTER)).toBe(2);
    await client.settled(2);
    await settleMicrotasks();
    clock.advance(PERIOD_MS);
    expect(client.count(REGISTER)).toBe(3);
    await client.settled(3);
    await settleMicrotasks();
    expect(registrar.lastOutcomes.every((o) => o.ok)).toBe(true);
    await registrar.stop();
  });

  it('registers with a live name server while another is down, warning once per failure streak', async () => {
    const live = await nameServer();
    const deadPort = await closedPort();
    const dead = `127.0.0.1:${deadPort}`;
    const { registrar, client, clock, lines } = rig([live.address, dead]);
    const warnings = () => lines.filter((l) => l.includes('WARN') && l.includes(dead));
    const period = async () => {
      const before = client.sent.length;
      clock.advance(PERIOD_MS);
      await client.settled(before + 2);
      await settleMicrotasks();
    };

    await registrar.start();
    expect(await brokersRouting(live.address, 'TopicA')).toEqual(['broker-a']);
    expect(registrar.lastOutcomes.map((o) => o.ok)).toEqual([true, false]);
    for (let i = 0; i < 3; i++) await period();
    expect(client.count(REGISTER, dead)).toBe(4);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/registration with name server failed; retrying every period/);

    // It comes back: registered at the next period, and said so once.
    const revived = await nameServer(deadPort);
    await period();
    expect(registrar.lastOutcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(await brokersRouting(revived.address, 'TopicA')).toEqual(['broker-a']);
    expect(lines.filter((l) => l.includes('registered with name server again'))).toHaveLength(1);

    // It goes down again: a new streak, a new warning.
    await revived.close();
    await period();
    await period();
    expect(warnings()).toHaveLength(2);
    await registrar.stop();
  });

  it('stop() unregisters from every name server, clears the period and ignores later changes', async () => {
    const [a, b] = [await nameServer(), await nameServer()];
    const { registrar, client, clock } = rig([a.address, b.address]);
    await registrar.start();
    expect(clock.pendingTimers()).toBe(1);
    expect(await brokersRouting(a.address, 'TopicA')).toEqual(['broker-a']);
    await registrar.stop();
    expect(client.count(RequestCode.UNREGISTER_BROKER, a.address)).toBe(1);
    expect(client.count(RequestCode.UNREGISTER_BROKER, b.address)).toBe(1);
    // The registrar's connections are still open, so the routes went because of the unregistration.
    expect(await brokersRouting(a.address, 'TopicA')).toEqual([]);
    expect(await brokersRouting(b.address, 'TopicA')).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    const registrations = client.count(REGISTER);
    registrar.topicsChanged();
    clock.advance(2 * PERIOD_MS);
    await settleMicrotasks();
    expect(client.count(REGISTER)).toBe(registrations);
  });

  it('stop() waits for the registration in flight before unregistering', async () => {
    const a = await nameServer();
    const { registrar, client } = rig([a.address]);
    await registrar.start();
    void registrar.registerAll();
    await registrar.stop();
    expect(client.sent.map((r) => r.code)).toEqual([REGISTER, REGISTER, RequestCode.UNREGISTER_BROKER]);
    expect(await brokersRouting(a.address, 'TopicA')).toEqual([]);
  });
});
