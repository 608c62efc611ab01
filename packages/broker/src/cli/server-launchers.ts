// The seam between the CLI and the servers: the commands parse, validate and handle signals; a
// launcher starts the real server. Tests pass fake launchers and so need no sockets or store.

import type { Logger } from '../common/logger';
import type { NameServerConfig } from '../namesrv/namesrv-config';
import type { BrokerConfig } from '../server/broker-config';

export interface RunningServer {
  /** One phrase for the ready line, e.g. `listening on 0.0.0.0:10911`. */
  readonly description: string;
  /** Stops accepting work, finishes or fails what is in flight, releases every resource. */
  close(reason: string): Promise<void>;
}

export interface ServerLaunchers {
  startNameServer(config: NameServerConfig, log: Logger): Promise<RunningServer>;
  startBroker(config: BrokerConfig, log: Logger): Promise<RunningServer>;
}
