// `keel namesrv` and `keel broker` as real processes on loopback, started from properties files in
// a test's temporary directory and awaited until they print their ready line.

import { join } from 'node:path';
import { findFreeBrokerPort } from '../../../src/testing/servers';
import {
  freePort,
  READY_TIMEOUT_MS,
  readyLine,
  writeProperties,
  type KeelProcess,
  type KeelProcesses,
} from './keel-process';

export interface NameServerProcess {
  readonly process: KeelProcess;
  readonly address: string;
}

export async function startNameServerProcess(
  processes: KeelProcesses,
  dir: string,
): Promise<NameServerProcess> {
  const port = await freePort();
  const config = writeProperties(join(dir, 'namesrv.properties'), { namesrvRootDir: join(dir, 'namesrv') });
  const started = processes.spawn('keel namesrv', ['namesrv', '-c', config, '-p', String(port)]);
  await started.waitForOutput(readyLine('namesrv'), READY_TIMEOUT_MS);
  return { process: started, address: `127.0.0.1:${port}` };
}

export interface BrokerSetup {
  /** The broker.properties both `keel broker -c` and `keel shutdown broker -c` read. */
  readonly propertiesPath: string;
  readonly storeDir: string;
  readonly address: string;
  readonly nameServerAddress: string;
}

/** Writes broker.properties for a broker on a free port of loopback, storing under `dir`/store. */
export async function prepareBroker(
  dir: string,
  nameServerAddress: string,
  settings: Readonly<Record<string, string | number>>,
): Promise<BrokerSetup> {
  const listenPort = await findFreeBrokerPort();
  const storeDir = join(dir, 'store');
  const propertiesPath = writeProperties(join(dir, 'broker.properties'), {
    brokerIP1: '127.0.0.1',
    listenPort,
    storePathRootDir: storeDir,
    // Small segments: each is created at full size, and the default 1 GiB is slow on some disks.
    mappedFileSizeCommitLog: 8 * 1024 * 1024,
    ...settings,
  });
  return { propertiesPath, storeDir, address: `127.0.0.1:${listenPort}`, nameServerAddress };
}

/** `keel broker -c <properties> -n <name server>`, once it is ready. */
export async function startBrokerProcess(processes: KeelProcesses, setup: BrokerSetup): Promise<KeelProcess> {
  const started = processes.spawn('keel broker', [
    'broker',
    '-c',
    setup.propertiesPath,
    '-n',
    setup.nameServerAddress,
  ]);
  await started.waitForOutput(readyLine('broker'), READY_TIMEOUT_MS);
  return started;
}
