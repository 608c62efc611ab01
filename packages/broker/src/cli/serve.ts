// The life of a server process, shared by `keel broker` and `keel namesrv`:
//
//   start ──► pid file ──► ready line ──► wait for SIGTERM/SIGINT ──► close ──► remove pid file ──► 0
//     └─ failure ──► 1                                  second signal at any point ──► 130 at once
//
// The second signal is the operator's way out of a close that hangs (a stuck disk, a peer that
// never answers): it returns EXIT_INTERRUPTED without waiting, and main.ts exits the process.

import type { LogFields, Logger } from '../common/logger';
import { removePidFile, writePidFile } from './pid-file';
import type { ProcessControl, ShutdownSignal, SignalSource } from './process-control';
import type { RunningServer } from './server-launchers';

/** 128 + SIGINT, the shell's code for "interrupted". */
export const EXIT_INTERRUPTED = 130;
export const EXIT_FAILURE = 1;

export interface ServeOptions {
  readonly log: Logger;
  readonly pidFile: string;
  readonly signals: SignalSource;
  readonly processes: ProcessControl;
  readonly start: () => Promise<RunningServer>;
  /** What the ready line says about the server, besides the launcher's description. */
  readonly readyFields: LogFields;
}

export async function serve(options: ServeOptions): Promise<number> {
  const { log } = options;
  let stop!: (signal: ShutdownSignal) => void;
  const stopRequested = new Promise<ShutdownSignal>((resolve) => (stop = resolve));
  let interrupt!: (signal: ShutdownSignal) => void;
  const interrupted = new Promise<ShutdownSignal>((resolve) => (interrupt = resolve));
  let signalsSeen = 0;
  const unsubscribe = options.signals.subscribe((signal) => {
    signalsSeen++;
    if (signalsSeen === 1) {
      log.info('shutdown requested', { signal });
      stop(signal);
    } else {
      interrupt(signal);
    }
  });

  try {
    return await Promise.race([
      runUntilStopped(options, stopRequested, () => signalsSeen > 1),
      interrupted.then((signal) => exitAtOnce(options, signal)),
    ]);
  } finally {
    unsubscribe();
  }
}

async function runUntilStopped(
  options: ServeOptions,
  stopRequested: Promise<ShutdownSignal>,
  abandoned: () => boolean,
): Promise<number> {
  const { log } = options;
  let server: RunningServer;
  try {
    server = await options.start();
  } catch (error: unknown) {
    log.error('failed to start', { error: asError(error) });
    return EXIT_FAILURE;
  }
  // After an interrupt the process is exiting; a pid file written now would outlive it.
  if (abandoned()) return EXIT_INTERRUPTED;
  try {
    await writePidFile(options.pidFile, options.processes.pid);
  } catch (error: unknown) {
    log.error('cannot write the pid file, stopping', { pidFile: options.pidFile, error: asError(error) });
    return closeServer(server, 'pid file could not be written', options).then(() => EXIT_FAILURE);
  }
  // Last, so that "ready" means `keel shutdown` can find the server too.
  log.info('ready', { ...options.readyFields, server: server.description, pid: options.processes.pid });
  const signal = await stopRequested;
  const closed = await closeServer(server, `${signal} received`, options);
  const removed = await removePid(options);
  if (closed && removed) log.info('stopped');
  return closed && removed ? 0 : EXIT_FAILURE;
}

async function closeServer(server: RunningServer, reason: string, options: ServeOptions): Promise<boolean> {
  try {
    await server.close(reason);
    return true;
  } catch (error: unknown) {
    options.log.error('failed to close cleanly', { reason, error: asError(error) });
    return false;
  }
}

async function removePid(options: ServeOptions): Promise<boolean> {
  try {
    await removePidFile(options.pidFile, options.processes.pid);
    return true;
  } catch (error: unknown) {
    options.log.error('cannot remove the pid file; delete it by hand', {
      pidFile: options.pidFile,
      error: asError(error),
    });
    return false;
  }
}

async function exitAtOnce(options: ServeOptions, signal: ShutdownSignal): Promise<number> {
  options.log.warn('second signal, exiting without waiting for the shutdown to finish', { signal });
  // A stale pid file would make a later `keel shutdown` signal whatever process reuses the id.
  await removePid(options);
  return EXIT_INTERRUPTED;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
