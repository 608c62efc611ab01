import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { KvConfigManager } from '../../src/namesrv/kv-config-manager';

describe('KvConfigManager', () => {
  it('keeps values across a reload and forgets deleted ones', async () => {
    const disk = new MemoryDisk();
    const kv = await KvConfigManager.load(disk, '/ns/kvConfig.json');
    await kv.put('ORDER_TOPIC_CONFIG', 'TopicOrder', 'broker-a:4;broker-b:4');
    await kv.put('ns', 'k', 'v');
    expect(await kv.delete('ns', 'k')).toBe(true);
    expect(await kv.delete('ns', 'k')).toBe(false);
    const reloaded = await KvConfigManager.load(disk, '/ns/kvConfig.json');
    expect(reloaded.get('ORDER_TOPIC_CONFIG', 'TopicOrder')).toBe('broker-a:4;broker-b:4');
    expect(reloaded.list('ns')).toBeUndefined();
  });

  it('refuses a file whose values are not strings, naming the entry', async () => {
    const disk = new MemoryDisk();
    const file = await disk.open('/kv.json');
    const text = Buffer.from('{"configTable":{"ns":{"k":1}}}');
    await file.write(text, 0, text.length, 0);
    await file.close();
    await expect(KvConfigManager.load(disk, '/kv.json')).rejects.toThrow(
      /configTable\.ns\.k must be a string/,
    );
  });
});
