// The client id brokers know a client by: `clientIP@instanceName` (MQClientInstance's clientId,
// without the unit name, which Keel does not support). Two producers with the same id share one
// client instance, and a broker sees them as one client.

import { networkInterfaces } from 'node:os';

let lastInstanceNanos = 0n;

/**
 * RocketMQ's default instance name, `pid#nanoTime`, with the monotonic clock forced to increase
 * between calls: two clients created in the same nanosecond would otherwise share an id, and with
 * it one client instance.
 */
export function defaultInstanceName(): string {
  const now = process.hrtime.bigint();
  lastInstanceNanos = now > lastInstanceNanos ? now : lastInstanceNanos + 1n;
  return `${process.pid}#${lastInstanceNanos}`;
}

/** The first non-loopback IPv4 address, else 127.0.0.1 (like RemotingUtil.getLocalAddress). */
export function localClientIp(interfaces = networkInterfaces()): string {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') return address.address;
    }
  }
  return '127.0.0.1';
}

export function buildClientId(clientIP: string, instanceName: string): string {
  return `${clientIP}@${instanceName}`;
}
