// A test broker whose commit-log disk can be made to hang, so a test can hold a message between
// "appended" and "acknowledged" (a slow or saturated device). processor-fixtures' openTestBroker
// builds its own MemoryDisk, hence this small twin that takes the disk.

import { FakeClock } from '../../../src/common/fake-clock';
import { silentLogger } from '../../../src/common/logger';
import { parseProperties } from '../../../src/common/properties-file';
import { resolveBrokerConfig } from '../../../src/server/broker-config';
import type { BrokerContext } from '../../../src/server/broker-context';
import { openBrokerContext } from '../../../src/server/open-broker-context';
import type { DiskFile } from '../../../src/store/disk/disk';
import { MemoryDisk } from '../../../src/store/disk/memory-disk';
import { BROKER_NAME } from './processor-fixtures';

/** Writes and fdatasyncs of commit-log segments wait while `stalled` is set. */
export class StallingDisk extends MemoryDisk {
  #stalled = false;
  readonly #waiting: Array<() => void> = [];

  stall(): void {
    this.#stalled = true;
  }

  resume(): void {
    this.#stalled = false;
    for (const release of this.#waiting.splice(0)) release();
  }

  override async open(path: string): Promise<DiskFile> {
    return this.#wrap(await super.open(path));
  }

  override async openExisting(path: string): Promise<DiskFile> {
    return this.#wrap(await super.openExisting(path));
  }

  #wrap(file: DiskFile): DiskFile {
    if (!file.path.includes('/commitlog/')) return file;
    const write = file.write.bind(file);
    const datasync = file.datasync.bind(file);
    file.write = async (buffer, offset, length, position) => {
      await this.#gate();
      await write(buffer, offset, length, position);
    };
    file.datasync = async () => {
      await this.#gate();
      await datasync();
    };
    return file;
  }

  async #gate(): Promise<void> {
    if (this.#stalled) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
}

export interface StallingBroker {
  readonly context: BrokerContext;
  readonly clock: FakeClock;
  readonly disk: StallingDisk;
  close(): Promise<void>;
}

/** The same small store as openTestBroker, on a StallingDisk. */
export async function openStallingBroker(lines: readonly string[] = []): Promise<StallingBroker> {
  const config = resolveBrokerConfig(
    parseProperties(
      [
        `brokerName = ${BROKER_NAME}`,
        'brokerIP1 = 127.0.0.1',
        'storePathRootDir = /data/store',
        'mappedFileSizeCommitLog = 65536',
        'mappedFileSizeConsumeQueue = 320',
        'commitLogWriteChunkBytes = 1024',
        'maxMessageSize = 4096',
        'maxHashSlotNum = 64',
        'maxIndexNum = 256',
        ...lines,
      ].join('\n'),
    ),
    {},
    { host: { hostname: 'test-host', homeDir: '/home/test', firstExternalIPv4: '127.0.0.1' } },
  );
  const clock = new FakeClock();
  const disk = new StallingDisk();
  let opaque = 0;
  const opened = await openBrokerContext({
    config,
    clock,
    disk,
    log: silentLogger,
    nextOpaque: () => ++opaque,
    topicsChanged: () => undefined,
  });
  return {
    context: opened.context,
    clock,
    disk,
    close: async () => {
      disk.resume();
      await opened.close();
    },
  };
}
