import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { LocalFileOffsetStore, RemoteOffsetStore, localOffsetsPath } from '../../../src/client/consumer';
import { FakeConsumerApi, mq } from './consumer-fakes';

const q0 = mq('T', 'broker-a', 0);
const q1 = mq('T', 'broker-a', 1);

describe('RemoteOffsetStore', () => {
  it('keeps offsets in memory; increaseOnly ignores a smaller value', async () => {
    const store = new RemoteOffsetStore(new FakeConsumerApi());
    store.updateOffset(q0, 10, true);
    store.updateOffset(q0, 5, true);
    expect(await store.readOffset(q0, 'memory')).toBe(10);
    store.updateOffset(q0, 5, false);
    expect(await store.readOffset(q0, 'memory')).toBe(5);
    expect(await store.readOffset(q1, 'memory')).toBeUndefined();
  });

  it('reads from the broker when asked (and caches), undefined when the broker has none', async () => {
    const api = new FakeConsumerApi();
    api.storedOffsets.set(JSON.stringify(['T', 'broker-a', 0]), 42);
    const store = new RemoteOffsetStore(api);
    expect(await store.readOffset(q0, 'store')).toBe(42);
    expect(await store.readOffset(q0, 'memory')).toBe(42);
    expect(await store.readOffset(q1, 'memory-then-store')).toBeUndefined();
  });

  it('persistAll uploads every offset oneway; persist uploads one; removeOffset forgets', async () => {
    const api = new FakeConsumerApi();
    const store = new RemoteOffsetStore(api);
    store.updateOffset(q0, 3, false);
    store.updateOffset(q1, 4, false);
    await store.persistAll();
    expect(api.uploads).toEqual([
      { queue: q0, offset: 3, oneway: true },
      { queue: q1, offset: 4, oneway: true },
    ]);
    await store.persist(q1);
    expect(api.uploads).toHaveLength(3);
    store.removeOffset(q1);
    await store.persistAll();
    expect(api.uploads.slice(3)).toEqual([{ queue: q0, offset: 3, oneway: true }]);
  });

  it('persistAll tries every queue and rethrows a failure', async () => {
    const api = new FakeConsumerApi();
    const uploaded: number[] = [];
    api.updateConsumerOffset = async (queue) => {
      if (queue.queueId === 0) throw new Error('down');
      uploaded.push(queue.queueId);
    };
    const store = new RemoteOffsetStore(api);
    store.updateOffset(q0, 1, false);
    store.updateOffset(q1, 1, false);
    await expect(store.persistAll()).rejects.toThrow('down');
    expect(uploaded).toEqual([1]);
  });
});

describe('LocalFileOffsetStore', () => {
  const options = { directory: '/offsets', clientId: '10.0.0.1@1', group: 'cg' };

  it('writes <dir>/<clientId>/<group>/offsets.json and a new store loads it', async () => {
    const disk = new MemoryDisk();
    const store = new LocalFileOffsetStore({ disk, ...options });
    expect(store.path).toBe('/offsets/10.0.0.1@1/cg/offsets.json');
    expect(localOffsetsPath(options)).toBe(store.path);
    store.updateOffset(q0, 7, false);
    store.updateOffset(q1, 9, false);
    await store.persistAll();

    const reopened = new LocalFileOffsetStore({ disk, ...options });
    expect(await reopened.readOffset(q0, 'memory')).toBeUndefined();
    await reopened.load();
    expect(await reopened.readOffset(q0, 'memory')).toBe(7);
    expect(await reopened.readOffset(q1, 'memory')).toBe(9);
  });

  it('reads one queue from the file on demand and survives a crash after persisting', async () => {
    const disk = new MemoryDisk();
    const store = new LocalFileOffsetStore({ disk, ...options });
    store.updateOffset(q0, 7, false);
    await store.persist(q0);
    disk.crash();
    const reopened = new LocalFileOffsetStore({ disk, ...options });
    expect(await reopened.readOffset(q0, 'store')).toBe(7);
    expect(await reopened.readOffset(q1, 'store')).toBeUndefined();
  });

  it('starts empty when no file exists', async () => {
    const store = new LocalFileOffsetStore({ disk: new MemoryDisk(), ...options });
    await store.load();
    expect(await store.readOffset(q0, 'memory-then-store')).toBeUndefined();
  });

  it('rejects a file of the wrong shape', async () => {
    const disk = new MemoryDisk();
    await disk.mkdirp('/offsets/10.0.0.1@1/cg');
    const file = await disk.open('/offsets/10.0.0.1@1/cg/offsets.json');
    const text = Buffer.from('{"offsetTable":[{"topic":"T","brokerName":"b","queueId":"x","offset":1}]}');
    await file.write(text, 0, text.length, 0);
    await file.close();
    await expect(new LocalFileOffsetStore({ disk, ...options }).load()).rejects.toMatchObject({
      code: 'STORE_CORRUPTION',
    });
  });
});
