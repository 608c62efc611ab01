// Where a slave finds its master: the HA address to replicate from and the remoting address to
// sync metadata from. `haMasterAddress` wins for HA (as in RocketMQ); otherwise both come from the
// name servers' answer to the slave's registration (RegisterBrokerResponseHeader). While the master
// is down the name servers report nothing; the last addresses heard are kept, since a restarted
// master usually comes back where it was.

import type { RegistrationOutcome } from '../registration/name-server-registrar';
import { parseAddress } from '../../transport/address';

export class MasterLocator {
  readonly #configuredHaAddress: string | undefined;
  readonly #outcomes: () => readonly RegistrationOutcome[];
  #haAddress: string | undefined;
  #brokerAddress: string | undefined;

  constructor(configuredHaAddress: string | undefined, outcomes: () => readonly RegistrationOutcome[]) {
    this.#configuredHaAddress = configuredHaAddress;
    this.#outcomes = outcomes;
  }

  haAddress(): string | undefined {
    this.#refresh();
    return this.#configuredHaAddress ?? this.#haAddress;
  }

  /**
   * The master's remoting address. Without a name server's answer, a configured HA address is
   * taken to be the master's listenPort + 1, as RocketMQ derives the HA port.
   */
  brokerAddress(): string | undefined {
    this.#refresh();
    if (this.#brokerAddress !== undefined) return this.#brokerAddress;
    if (this.#configuredHaAddress === undefined) return undefined;
    const { host, port } = parseAddress(this.#configuredHaAddress);
    return `${host}:${port - 1}`;
  }

  #refresh(): void {
    for (const outcome of this.#outcomes()) {
      if (!outcome.ok) continue;
      if (outcome.masterAddr !== undefined && outcome.masterAddr !== '')
        this.#brokerAddress = outcome.masterAddr;
      if (outcome.haServerAddr !== undefined && outcome.haServerAddr !== '')
        this.#haAddress = outcome.haServerAddr;
    }
  }
}
