import { ProducerManager } from '../../../src/server/client/producer-manager';
import { FakeChannel, identity } from './fake-channel';

const T0 = 1_700_000_000_000;

describe('ProducerManager', () => {
  it('picks the live channels of a group in turn', () => {
    const manager = new ProducerManager();
    const [a, b, c] = [new FakeChannel(1), new FakeChannel(2), new FakeChannel(3)];
    expect(manager.register('pg', identity(a), T0)).toBe(true);
    expect(manager.register('pg', identity(a), T0)).toBe(false);
    manager.register('pg', identity(b), T0);
    manager.register('pg', identity(c), T0);
    const picks = Array.from({ length: 6 }, () => manager.anyChannelOf('pg', T0)?.id);
    expect(picks).toEqual([1, 2, 3, 1, 2, 3]);
    expect(manager.anyChannelOf('other', T0)).toBeUndefined();
  });

  it('skips channels silent for too long and expires them on scan', () => {
    const manager = new ProducerManager({ channelMaxIdleMs: 120_000 });
    const [a, b] = [new FakeChannel(1), new FakeChannel(2)];
    manager.register('pg', identity(a), T0);
    manager.register('pg', identity(b), T0 + 100_000);
    const now = T0 + 130_000;
    expect([manager.anyChannelOf('pg', now)?.id, manager.anyChannelOf('pg', now)?.id]).toEqual([2, 2]);
    expect(manager.scanExpired(now)).toEqual([a]);
    expect(manager.connectionsOf('pg').map((c) => c.clientId)).toEqual(['client-2']);
    expect(manager.scanExpired(T0 + 300_000)).toEqual([b]);
    expect(manager.groups()).toEqual([]);
    expect(manager.anyChannelOf('pg', now)).toBeUndefined();
  });

  it('forgets channels on unregister and close', () => {
    const manager = new ProducerManager();
    const [a, b] = [new FakeChannel(1), new FakeChannel(2)];
    manager.register('pg', identity(a), T0);
    manager.register('CLIENT_INNER_PRODUCER', identity(a), T0);
    manager.register('pg', identity(b, 'ip@b'), T0);
    expect(manager.findChannel('ip@b')).toBe(b);
    expect(manager.unregister('pg', b)).toBe(true);
    expect(manager.unregister('pg', b)).toBe(false);
    expect(manager.onChannelClosed(a).sort()).toEqual(['CLIENT_INNER_PRODUCER', 'pg']);
    expect(manager.groups()).toEqual([]);
    expect(manager.connectionsOf('pg')).toEqual([]);
  });
});
