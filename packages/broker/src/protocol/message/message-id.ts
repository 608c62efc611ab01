// The two message ids of RocketMQ 4.x, both upper-case hex of a small binary record.
//
// Offset message id (`MessageDecoder.createMessageId`), made by the broker, names a record's place:
//   store host ip (4|16) | store host port int (4) | commit-log physical offset long (8)
//   32 hex chars for IPv4, 56 for IPv6.
//
// UNIQ_KEY (`MessageClientIDSetter.createUniqID`), made by a producer (or the broker for messages it
// creates), names a message across retries:
//   ip (4|16) | pid short (2) | class-loader hash int (4) | ms since local month start int (4) | counter short (2)
//   The first three parts are fixed per process.

import { randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Clock } from '../../common/clock';
import { parseIp, type HostAddress } from './host-address';
import { readJavaLong, writeJavaLong } from './java-long';
import { InvalidMessageIdError } from './message-errors';
import { IPV4_ADDRESS_SIZE, IPV6_ADDRESS_SIZE, LONG_SIZE, PORT_SIZE } from './stored-message-layout';

const HEX_PATTERN = /^[0-9A-Fa-f]*$/;

// Hex digits of every byte, so ids are built from a few table lookups instead of a per-byte loop.
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).toUpperCase().padStart(2, '0'),
);

function hexByte(b: number): string {
  return HEX_BYTE[b & 0xff] ?? '00';
}

function hexBytes(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}

function decodeHex(id: string, lengths: readonly number[], what: string): Buffer {
  if (!lengths.includes(id.length) || !HEX_PATTERN.test(id)) {
    throw new InvalidMessageIdError(id, `${what} is ${lengths.join(' or ')} hex digits`);
  }
  return Buffer.from(id, 'hex');
}

// --- Offset message id -------------------------------------------------------------------------

export const OFFSET_MESSAGE_ID_LENGTH_V4 = 2 * (IPV4_ADDRESS_SIZE + PORT_SIZE + LONG_SIZE);
export const OFFSET_MESSAGE_ID_LENGTH_V6 = 2 * (IPV6_ADDRESS_SIZE + PORT_SIZE + LONG_SIZE);

export interface OffsetMessageId {
  readonly storeHost: HostAddress;
  readonly physicalOffset: number;
}

/** The offset message id of the record at `physicalOffset` of the broker at `storeHost`. */
export function createOffsetMessageId(storeHost: HostAddress, physicalOffset: number): string {
  const ipLength = storeHost.ip.length;
  const bytes = Buffer.allocUnsafe(ipLength + PORT_SIZE + LONG_SIZE);
  bytes.set(storeHost.ip, 0);
  bytes.writeInt32BE(storeHost.port, ipLength);
  writeJavaLong(bytes, ipLength + PORT_SIZE, physicalOffset);
  return hexBytes(bytes);
}

/**
 * Decodes an offset message id (either case of hex). Like Java, 32 digits mean IPv4; unlike Java,
 * which takes anything else as IPv6, only 56 digits do.
 */
export function decodeOffsetMessageId(id: string): OffsetMessageId {
  const bytes = decodeHex(
    id,
    [OFFSET_MESSAGE_ID_LENGTH_V4, OFFSET_MESSAGE_ID_LENGTH_V6],
    'an offset message id',
  );
  const ipLength = id.length === OFFSET_MESSAGE_ID_LENGTH_V4 ? IPV4_ADDRESS_SIZE : IPV6_ADDRESS_SIZE;
  const physicalOffset = readJavaLong(bytes, ipLength + PORT_SIZE);
  if (!Number.isSafeInteger(physicalOffset)) {
    throw new InvalidMessageIdError(id, 'the physical offset is beyond 2^53');
  }
  return {
    storeHost: { ip: bytes.subarray(0, ipLength), port: bytes.readInt32BE(ipLength) },
    physicalOffset,
  };
}

// --- UNIQ_KEY ----------------------------------------------------------------------------------

export const UNIQUE_MESSAGE_ID_LENGTH_V4 = 2 * (IPV4_ADDRESS_SIZE + 2 + 4 + 4 + 2);
export const UNIQUE_MESSAGE_ID_LENGTH_V6 = 2 * (IPV6_ADDRESS_SIZE + 2 + 4 + 4 + 2);

/** Java's NTP guard: a clock less than this far behind the month start writes 0, not a wrapped int. */
const CLOCK_BACKWARDS_TOLERANCE_MS = 1_000_000;

/** What UNIQ_KEY generation needs of a clock: the broker's Clock, or any `{ now(): number }`. */
export type WallClock = Pick<Clock, 'now'>;

export interface UniqueMessageIdGeneratorOptions {
  readonly clock: WallClock;
  /** 4 or 16 bytes. Default: {@link localIpForMessageIds}. */
  readonly ip?: Uint8Array;
  /** Written as a short (low 16 bits). Default: process.pid. */
  readonly pid?: number;
  /** Stands in for Java's ClassLoader hashCode. Default: {@link processClassLoaderHash}. */
  readonly classLoaderHash?: number;
  /** Where the last two bytes come from. Default: the process-wide {@link PROCESS_MESSAGE_ID_COUNTER}. */
  readonly counter?: MessageIdCounter;
}

/**
 * The 16-bit counter of UNIQ_KEYs. Java keeps one per JVM (a static), so two producers of one
 * process never make the same id in the same millisecond; Keel keeps one per process by default.
 */
export class MessageIdCounter {
  #value = 0;

  next(): number {
    const value = this.#value;
    this.#value = (value + 1) & 0xffff;
    return value;
  }
}

/** Shared by every generator of the process that is not given its own counter. */
export const PROCESS_MESSAGE_ID_COUNTER = new MessageIdCounter();

function startOfLocalMonth(ms: number, monthsToAdd = 0): number {
  const date = new Date(ms);
  return new Date(date.getFullYear(), date.getMonth() + monthsToAdd, 1).getTime();
}

let classLoaderHash: number | undefined;

/**
 * A random non-negative int picked once per process. Java puts its ClassLoader's identity hash
 * here; nothing reads it back, it only keeps two processes with one ip and pid (containers) apart.
 */
export function processClassLoaderHash(): number {
  classLoaderHash ??= randomInt(0, 0x7fffffff);
  return classLoaderHash;
}

/**
 * The address a UNIQ_KEY carries, picked like Java's `UtilAll.getIP`: a public IPv4 address, else a
 * global IPv6 one, else a private IPv4 one; 127.0.0.1 when there is none (Java uses clock bits).
 */
export function localIpForMessageIds(interfaces = networkInterfaces()): Uint8Array {
  let privateV4: Uint8Array | undefined;
  let globalV6: Uint8Array | undefined;
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.internal) continue;
      const ip = parseIp(address.address);
      if (ip === undefined) continue;
      if (ip.length === IPV4_ADDRESS_SIZE) {
        if (!isPrivateIpv4(ip)) return ip;
        privateV4 ??= ip;
      } else if (isGlobalIpv6(ip)) {
        globalV6 ??= ip;
      }
    }
  }
  return globalV6 ?? privateV4 ?? Uint8Array.of(127, 0, 0, 1);
}

// 10/8, 172.16/12, 192.168/16 and link-local 169.254/16.
function isPrivateIpv4(ip: Uint8Array): boolean {
  const a = ip[0] ?? 0;
  const b = ip[1] ?? 0;
  return (
    a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
  );
}

// Not link-local fe80::/10 and not unique-local fc00::/7.
function isGlobalIpv6(ip: Uint8Array): boolean {
  const a = ip[0] ?? 0;
  const b = ip[1] ?? 0;
  return !(a === 0xfe && (b & 0xc0) === 0x80) && (a & 0xfe) !== 0xfc;
}

/**
 * Makes UNIQ_KEYs exactly as a Java producer does (`MessageClientIDSetter.createUniqID`), reading
 * time from the injected clock. The counter is shared by the process's generators unless one is given.
 */
export class UniqueMessageIdGenerator {
  readonly #clock: WallClock;
  readonly #prefix: string;
  #monthStart: number;
  #nextMonthStart: number;
  readonly #counter: MessageIdCounter;

  constructor(options: UniqueMessageIdGeneratorOptions) {
    const ip = options.ip ?? localIpForMessageIds();
    if (ip.length !== IPV4_ADDRESS_SIZE && ip.length !== IPV6_ADDRESS_SIZE) {
      throw new RangeError(`a UNIQ_KEY ip has 4 or 16 bytes, not ${ip.length}`);
    }
    const prefix = Buffer.allocUnsafe(ip.length + 6);
    prefix.set(ip, 0);
    prefix.writeInt16BE(((options.pid ?? process.pid) << 16) >> 16, ip.length);
    prefix.writeInt32BE((options.classLoaderHash ?? processClassLoaderHash()) | 0, ip.length + 2);
    this.#prefix = hexBytes(prefix);
    this.#clock = options.clock;
    this.#counter = options.counter ?? PROCESS_MESSAGE_ID_COUNTER;
    // Java fixes the month when the class loads; here when the generator is made.
    const now = this.#clock.now();
    this.#monthStart = startOfLocalMonth(now);
    this.#nextMonthStart = startOfLocalMonth(now, 1);
  }

  /** The next UNIQ_KEY: 32 hex digits with an IPv4 address, 56 with IPv6. */
  next(): string {
    const now = this.#clock.now();
    if (now >= this.#nextMonthStart) {
      this.#monthStart = startOfLocalMonth(now);
      this.#nextMonthStart = startOfLocalMonth(now, 1);
    }
    // (int) cast as in Java: late in a 31-day month the offset passes 2^31 and wraps negative,
    // which readers undo by reading the 4 bytes unsigned.
    let sinceMonthStart = (now - this.#monthStart) | 0;
    if (sinceMonthStart < 0 && sinceMonthStart > -CLOCK_BACKWARDS_TOLERANCE_MS) sinceMonthStart = 0;
    const counter = this.#counter.next();
    return (
      this.#prefix +
      hexByte(sinceMonthStart >>> 24) +
      hexByte(sinceMonthStart >>> 16) +
      hexByte(sinceMonthStart >>> 8) +
      hexByte(sinceMonthStart) +
      hexByte(counter >>> 8) +
      hexByte(counter)
    );
  }
}

export interface UniqueMessageIdParts {
  /** 4 or 16 bytes. */
  readonly ip: Uint8Array;
  /** The low 16 bits of the producer's pid, unsigned. */
  readonly pid: number;
  readonly classLoaderHash: number;
  /** Milliseconds since the start of the producer's local month, read unsigned. */
  readonly sinceMonthStartMs: number;
  readonly counter: number;
}

/** Splits a UNIQ_KEY into its parts (32 hex digits: IPv4, 56: IPv6). */
export function parseUniqueMessageId(id: string): UniqueMessageIdParts {
  const bytes = decodeHex(id, [UNIQUE_MESSAGE_ID_LENGTH_V4, UNIQUE_MESSAGE_ID_LENGTH_V6], 'a UNIQ_KEY');
  const ipLength = id.length === UNIQUE_MESSAGE_ID_LENGTH_V4 ? IPV4_ADDRESS_SIZE : IPV6_ADDRESS_SIZE;
  return {
    ip: bytes.subarray(0, ipLength),
    pid: bytes.readUInt16BE(ipLength),
    classLoaderHash: bytes.readInt32BE(ipLength + 2),
    sinceMonthStartMs: bytes.readUInt32BE(ipLength + 6),
    counter: bytes.readUInt16BE(ipLength + 10),
  };
}

/**
 * When a UNIQ_KEY was made, as `MessageClientIDSetter.getNearlyTimeFromID` works it out: the id
 * holds only the time since a month start, taken as this month's unless that lands at or after
 * `now`, then as last month's. Exact when producer and reader share a time zone.
 */
export function uniqueMessageIdTimestamp(id: string, now: number): number {
  const { sinceMonthStartMs } = parseUniqueMessageId(id);
  const thisMonth = startOfLocalMonth(now);
  if (thisMonth + sinceMonthStartMs < now) return thisMonth + sinceMonthStartMs;
  return startOfLocalMonth(now, -1) + sinceMonthStartMs;
}
