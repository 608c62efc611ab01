// What the broker's defaults depend on about the machine it runs on, as one injectable value so
// that config resolution is a pure function in tests.

import { homedir, hostname, networkInterfaces } from 'node:os';

export interface HostFacts {
  /** RocketMQ's default brokerName. */
  readonly hostname: string;
  /** Where RocketMQ's defaults live: `~/store`, `~/namesrv`. */
  readonly homeDir: string;
  /** The default brokerIP1: the address clients on other machines can reach. */
  readonly firstExternalIPv4: string;
}

export function systemHostFacts(): HostFacts {
  return { hostname: hostname(), homeDir: homedir(), firstExternalIPv4: firstExternalIPv4() };
}

// RocketMQ picks the first non-loopback IPv4 address too (RemotingUtil.getLocalAddress); without
// one, only local clients can connect, and 127.0.0.1 says so honestly.
function firstExternalIPv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
