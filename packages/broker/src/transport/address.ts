// RocketMQ addresses are `host:port` text (`10.0.0.5:10911`), lists are `;`-separated. IPv6 hosts
// are written without brackets by Java (`::1:10911`: the port is after the last colon), and with
// brackets by people; both are accepted.

import { AddressError } from './transport-errors';

export interface SocketAddress {
  readonly host: string;
  readonly port: number;
}

export function parseAddress(text: string): SocketAddress {
  const trimmed = text.trim();
  const colon = trimmed.lastIndexOf(':');
  if (colon <= 0 || colon === trimmed.length - 1) {
    throw new AddressError(`address '${text}' is not host:port (e.g. 127.0.0.1:9876)`);
  }
  let host = trimmed.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = trimmed.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new AddressError(`address '${text}' has port '${portText}'; a port is an integer from 1 to 65535`);
  }
  return { host, port };
}

/** `a:1;b:2;` → two addresses; empty entries (a trailing `;`) are ignored as RocketMQ does. */
export function parseAddressList(text: string): SocketAddress[] {
  return text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(parseAddress);
}

export function formatAddress(address: SocketAddress): string {
  return `${address.host}:${address.port}`;
}
