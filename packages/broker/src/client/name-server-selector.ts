// Which name server a client asks. Like MQClientInstance's `namesrvAddrChoosed`, a client sticks to
// one name server while it answers and moves to the next only when it cannot be reached, so a
// healthy cluster sees each client on one connection. The first pick is random so that many
// clients started at once spread over the name servers.

import { randomInt } from 'node:crypto';

export class NameServerSelector {
  readonly #addresses: readonly string[];
  #index: number;

  constructor(addresses: readonly string[], firstIndex = randomInt(Math.max(1, addresses.length))) {
    if (addresses.length === 0) throw new RangeError('at least one name server address is needed');
    this.#addresses = [...addresses];
    this.#index = firstIndex % addresses.length;
  }

  get addresses(): readonly string[] {
    return this.#addresses;
  }

  /** The name servers in the order to try them: the current one first, then the others in turn. */
  inTryOrder(): string[] {
    const n = this.#addresses.length;
    return Array.from({ length: n }, (_, i) => this.#addresses[(this.#index + i) % n]!);
  }

  /** Remembers that `address` answered, so the next call starts there. */
  answered(address: string): void {
    const index = this.#addresses.indexOf(address);
    if (index >= 0) this.#index = index;
  }
}
