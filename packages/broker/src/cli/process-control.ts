// The operating-system process as injectable seams: the signals that stop a server, and sending a
// signal to another process (`keel shutdown`). Tests replace both.

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

export interface SignalSource {
  /** Calls `handler` on every SIGTERM or SIGINT until the returned function is called. */
  subscribe(handler: (signal: ShutdownSignal) => void): () => void;
}

/** Listening replaces Node's default of exiting at once, which would skip closing the store cleanly. */
export const processSignals: SignalSource = {
  subscribe(handler) {
    const onTerm = () => handler('SIGTERM');
    const onInt = () => handler('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    return () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    };
  },
};

export interface ProcessControl {
  /** This process's id. */
  readonly pid: number;
  /** Sends `signal` to `pid`: false if no such process exists; other failures (EPERM) throw. */
  sendSignal(pid: number, signal: ShutdownSignal): boolean;
}

export const nodeProcessControl: ProcessControl = {
  pid: process.pid,
  sendSignal(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch (error: unknown) {
      if (hasErrorCode(error, 'ESRCH')) return false;
      throw error;
    }
  },
};

// Not `instanceof Error`: errors from Node's built-ins may come from another realm (e.g. a test VM).
function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
