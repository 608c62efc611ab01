// Socket addresses as RocketMQ stores them in a message's born-host and store-host fields: the raw
// IP (4 bytes for IPv4, 16 for IPv6) followed by the port as an int (`MessageExt.socketAddress2ByteBuffer`).
//
// Java turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into an Inet4Address, so a Java broker
// stores an IPv4 client on a dual-stack socket as IPv4. Node reports such a peer as "::ffff:a.b.c.d";
// we map it back to IPv4 the same way, or our records would differ from a Java broker's by 12 bytes.
// Only literal addresses are accepted: resolving names is the caller's business, not a codec's.

import { isIPv4, isIPv6 } from 'node:net';
import { InvalidHostAddressError } from './message-errors';
import {
  IPV4_ADDRESS_SIZE,
  IPV4_HOST_SIZE,
  IPV6_ADDRESS_SIZE,
  IPV6_HOST_SIZE,
} from './stored-message-layout';

export interface HostAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). Decoded addresses are views into the buffer they came from. */
  readonly ip: Uint8Array;
  readonly port: number;
}

const MAX_PORT = 65_535;
const PORT_PATTERN = /^\d{1,5}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  const ip = new Uint8Array(IPV4_ADDRESS_SIZE);
  const parts = text.split('.');
  for (let i = 0; i < IPV4_ADDRESS_SIZE; i++) ip[i] = Number(parts[i]);
  return ip;
}

function writeGroups(groups: readonly string[], ip: Uint8Array, at: number): number {
  let pos = at;
  for (const group of groups) {
    const value = parseInt(group, 16);
    ip[pos] = value >>> 8;
    ip[pos + 1] = value & 0xff;
    pos += 2;
  }
  return pos;
}

function parseIpv6(text: string): Uint8Array | undefined {
  // isIPv6 accepts a zone ("fe80::1%eth0"), which 16 bytes cannot carry.
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const ip = new Uint8Array(IPV6_ADDRESS_SIZE);
  let body = text;
  let tailV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    // Keep the colon when it is half of a "::" so the split below still sees the gap.
    body = text.slice(0, text[lastColon - 1] === ':' ? lastColon + 1 : lastColon);
  }
  const groupBytes = tailV4 === undefined ? IPV6_ADDRESS_SIZE : IPV6_ADDRESS_SIZE - IPV4_ADDRESS_SIZE;
  const gap = body.indexOf('::');
  if (gap < 0) {
    if (writeGroups(body.split(':'), ip, 0) !== groupBytes) return undefined;
  } else {
    const head = gap === 0 ? [] : body.slice(0, gap).split(':');
    const rest = body.slice(gap + 2);
    const tail = rest === '' ? [] : rest.split(':');
    writeGroups(head, ip, 0);
    writeGroups(tail, ip, groupBytes - 2 * tail.length);
  }
  if (tailV4 !== undefined) ip.set(tailV4, groupBytes);
  return ip;
}

function isIpv4Mapped(ip: Uint8Array): boolean {
  if (ip.length !== IPV6_ADDRESS_SIZE) return false;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** The bytes of a literal IPv4 or IPv6 address, IPv4-mapped IPv6 as IPv4; undefined if not one. */
export function parseIp(text: string): Uint8Array | undefined {
  const ip = parseIpv4(text) ?? parseIpv6(text);
  if (ip === undefined) return undefined;
  return isIpv4Mapped(ip) ? ip.slice(IPV6_ADDRESS_SIZE - IPV4_ADDRESS_SIZE) : ip;
}

function checkPort(input: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new InvalidHostAddressError(input, `port must be an integer from 0 to ${MAX_PORT}`);
  }
}

/** A host address from an IP literal and a port, e.g. a socket's `remoteAddress` and `remotePort`. */
export function hostAddressOf(ip: string, port: number): HostAddress {
  const bytes = parseIp(ip);
  if (bytes === undefined) throw new InvalidHostAddressError(ip, 'not a literal IPv4 or IPv6 address');
  checkPort(`${ip}:${port}`, port);
  return { ip: bytes, port };
}

/**
 * Parses "1.2.3.4:10911", "[::1]:10911" or, as Java's `RemotingHelper.string2SocketAddress` also
 * does by splitting at the last colon, "::1:10911".
 */
export function parseHostAddress(text: string): HostAddress {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new InvalidHostAddressError(text, 'expected "[ipv6]:port"');
    }
    host = text.slice(1, close);
    if (!isIPv6(host)) throw new InvalidHostAddressError(text, 'brackets must hold an IPv6 address');
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new InvalidHostAddressError(text, 'expected "ip:port"');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!PORT_PATTERN.test(portText)) throw new InvalidHostAddressError(text, 'the port is not a number');
  const ip = parseIp(host);
  if (ip === undefined) throw new InvalidHostAddressError(text, 'not a literal IPv4 or IPv6 address');
  const port = Number(portText);
  checkPort(text, port);
  return { ip, port };
}

/** "a.b.c.d" for 4 bytes, RFC 5952 text (lower case, longest zero run as "::") for 16 bytes. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === IPV4_ADDRESS_SIZE) return `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}`;
  if (ip.length !== IPV6_ADDRESS_SIZE)
    throw new RangeError(`an IP address has 4 or 16 bytes, not ${ip.length}`);
  const groups: number[] = [];
  for (let i = 0; i < IPV6_ADDRESS_SIZE; i += 2) groups.push(((ip[i] ?? 0) << 8) | (ip[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1; // RFC 5952: a single zero group is not shortened
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** "1.2.3.4:10911" or "[::1]:10911". */
export function formatHostAddress(host: HostAddress): string {
  const ip = formatIp(host.ip);
  return host.ip.length === IPV6_ADDRESS_SIZE ? `[${ip}]:${host.port}` : `${ip}:${host.port}`;
}

export function isIpv6Host(host: HostAddress): boolean {
  return host.ip.length === IPV6_ADDRESS_SIZE;
}

/** Bytes the host takes in a record: 8 (IPv4) or 20 (IPv6). */
export function hostAddressSize(host: HostAddress): number {
  return host.ip.length === IPV6_ADDRESS_SIZE ? IPV6_HOST_SIZE : IPV4_HOST_SIZE;
}

/** True when `host` can be written: a 4- or 16-byte IP and a port from 0 to 65535. */
export function isValidHostAddress(host: HostAddress): boolean {
  const n = host.ip.length;
  return (
    (n === IPV4_ADDRESS_SIZE || n === IPV6_ADDRESS_SIZE) &&
    Number.isInteger(host.port) &&
    host.port >= 0 &&
    host.port <= MAX_PORT
  );
}

/** Writes ip + port int at `position` (room is the caller's check); returns the position after it. */
export function writeHostAddress(target: Buffer, position: number, host: HostAddress): number {
  target.set(host.ip, position);
  const after = position + host.ip.length;
  target.writeInt32BE(host.port, after);
  return after + 4;
}

/** Reads a host field at `position`; the ip is a view into `source`, not a copy. */
export function readHostAddress(source: Buffer, position: number, ipv6: boolean): HostAddress {
  const ipEnd = position + (ipv6 ? IPV6_ADDRESS_SIZE : IPV4_ADDRESS_SIZE);
  return { ip: source.subarray(position, ipEnd), port: source.readInt32BE(ipEnd) };
}
