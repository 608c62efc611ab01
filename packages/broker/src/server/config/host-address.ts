// Checks of the addresses a config names. RocketMQ splits `host:port` at the last colon and would
// fail much later (at the first connection) on a typo; here the problem is found with the file's
// line number, before anything starts.

import { isIP } from 'node:net';

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PORT = /^\d{1,5}$/;

/** Why `host` cannot be advertised to clients, or undefined if it can (an IPv4 address or a host name). */
export function describeHostProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (isIP(host) === 6) {
    return `'${host}' is an IPv6 address, which RocketMQ clients cannot parse in host:port; use an IPv4 address or a host name`;
  }
  if (isIP(host) === 4 || HOST_NAME.test(host)) return undefined;
  return `'${host}' is neither an IPv4 address nor a host name`;
}

/** Why `address` is not `host:port`, or undefined if it is. */
export function describeHostPortProblem(address: string): string | undefined {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return `'${address}' has no port; write host:port, e.g. ${address}:9876`;
  const host = address.slice(0, colon);
  const port = address.slice(colon + 1);
  const hostProblem = describeHostProblem(host);
  if (hostProblem !== undefined) return `'${address}': the host ${hostProblem.replace(/^'[^']*' /, '')}`;
  if (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return `'${address}': the port '${port}' is not a number from 1 to 65535`;
  }
  return undefined;
}
