import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDisk } from '../../src/store/disk/node-disk';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import { openStore, putRequest, smallConfig } from './store-fixtures';

describe('store lock', () => {
  it('refuses a second open of the same store, naming the fix, until the first closes', async () => {
    const disk = new MemoryDisk();
    const first = await openStore(disk);
    await expect(openStore(disk)).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringMatching(/another broker is using this store.*own storePathRootDir/),
    });
    await first.close();
    const second = await openStore(disk);
    await second.close();
  });

  it('is not held by a store whose machine crashed', async () => {
    const disk = new MemoryDisk();
    const crashed = await openStore(disk, smallConfig({ flushDiskType: 'SYNC_FLUSH' }));
    expect((await crashed.putMessage(putRequest())).status).toBe('PUT_OK');
    disk.crash();
    const reopened = await openStore(disk, smallConfig({ flushDiskType: 'SYNC_FLUSH' }));
    expect(reopened.recovery.kind).toBe('crash');
    expect(reopened.maxOffsetInQueue('TopicTest', 0)).toBe(1);
    await reopened.close();
  });

  describe('on the real disk (a pid file)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'keel-lock-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('takes over a lock whose process is gone and releases it on release', async () => {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const deadPid = Number(gone.stdout.toString());
      const path = join(dir, 'lock');
      writeFileSync(path, `${deadPid}\n`);
      const lock = await new NodeDisk().lock(path);
      await expect(new NodeDisk().lock(path)).rejects.toMatchObject({
        code: 'ELOCKED',
        message: expect.stringContaining(`process ${process.pid}`),
      });
      await lock.release();
      expect(existsSync(path)).toBe(false);
    });
  });
});
