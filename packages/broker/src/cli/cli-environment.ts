// Everything the server commands need from the outside world, injected so that tests run them
// with fake servers, fake signals and fixed machine facts.

import { systemClock, type Clock } from '../common/clock';
import type { ReadTextFile } from '../server/config/config-sources';
import type { HostFacts } from '../server/config/host-facts';
import {
  nodeProcessControl,
  processSignals,
  type ProcessControl,
  type SignalSource,
} from './process-control';
import type { ServerLaunchers } from './server-launchers';

export interface CliEnvironment {
  readonly launchers: ServerLaunchers;
  readonly clock: Clock;
  readonly signals: SignalSource;
  readonly processes: ProcessControl;
  /** The machine's facts for config defaults; the running machine's when not given. */
  readonly host?: HostFacts;
  readonly readTextFile?: ReadTextFile;
}

/** The real process's environment around the given launchers. */
export function processEnvironment(launchers: ServerLaunchers): CliEnvironment {
  return { launchers, clock: systemClock, signals: processSignals, processes: nodeProcessControl };
}
