import fc from 'fast-check';
import type { NetworkInterfaceInfo } from 'node:os';
import {
  InvalidMessageIdError,
  MessageErrorCodes,
  MessageIdCounter,
  UniqueMessageIdGenerator,
  createOffsetMessageId,
  decodeOffsetMessageId,
  localIpForMessageIds,
  parseHostAddress,
  parseUniqueMessageId,
  processClassLoaderHash,
  uniqueMessageIdTimestamp,
} from '../../../src/protocol/message';

const hexOf = (ip: Uint8Array): string => Buffer.from(ip).toString('hex');

/** A clock the test sets by hand. */
function manualClock(start: number): { now(): number; set(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

function expectIdError(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidMessageIdError);
  expect(error).toMatchObject({ code: MessageErrorCodes.MESSAGE_ID_INVALID, retriable: false });
}

describe('offset message id', () => {
  it('is upper-case hex of store ip, port int and physical offset long', () => {
    const id = createOffsetMessageId(parseHostAddress('10.0.0.1:10911'), 4_294_967_312);
    expect(id).toBe('0A000001' + '00002A9F' + '0000000100000010');
  });

  it('is 56 digits for an IPv6 store host', () => {
    const id = createOffsetMessageId(parseHostAddress('[2001:db8::1]:10911'), 255);
    expect(id).toBe('20010DB8000000000000000000000001' + '00002A9F' + '00000000000000FF');
  });

  it('decodes by length: 32 digits IPv4, 56 IPv6; either case of hex', () => {
    const v4 = decodeOffsetMessageId('0a000001' + '00002a9f' + '0000000100000010');
    expect(hexOf(v4.storeHost.ip)).toBe('0a000001');
    expect(v4.storeHost.port).toBe(10_911);
    expect(v4.physicalOffset).toBe(4_294_967_312);
    const v6 = decodeOffsetMessageId('20010DB8000000000000000000000001' + '00002A9F' + '00000000000000FF');
    expect(hexOf(v6.storeHost.ip)).toBe('20010db8000000000000000000000001');
    expect(v6.physicalOffset).toBe(255);
  });

  it('round-trips any store host and offset', () => {
    const host = fc.record({
      ip: fc.oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
      ),
      port: fc.integer({ min: 0, max: 65_535 }),
    });
    fc.assert(
      fc.property(host, fc.maxSafeNat(), (storeHost, offset) => {
        const id = createOffsetMessageId(storeHost, offset);
        expect(id).toMatch(/^[0-9A-F]+$/);
        const back = decodeOffsetMessageId(id);
        expect(hexOf(back.storeHost.ip)).toBe(hexOf(storeHost.ip));
        expect(back.storeHost.port).toBe(storeHost.port);
        expect(back.physicalOffset).toBe(offset);
      }),
    );
  });

  it.each([
    '',
    '0A000001',
    '0A00000100002A9F000000010000001', // 31 digits
    '0A00000100002A9F00000001000000XY',
    '0A00000100002A9F7FFFFFFFFFFFFFFF', // offset beyond 2^53
  ])('refuses %j', (id) => {
    expectIdError(() => decodeOffsetMessageId(id));
  });
});

describe('UNIQ_KEY generation', () => {
  const ip = Uint8Array.of(192, 168, 1, 20);
  const may10Noon = new Date(2024, 4, 10, 12, 0, 0, 0).getTime();
  const may1 = new Date(2024, 4, 1).getTime();

  function generator(clock: { now(): number }, overrides: { ip?: Uint8Array; pid?: number } = {}) {
    return new UniqueMessageIdGenerator({
      clock,
      ip,
      pid: 4660,
      classLoaderHash: 0x12345678,
      counter: new MessageIdCounter(),
      ...overrides,
    });
  }

  it('is ip | pid short | class-loader hash | ms since local month start | counter, in upper-case hex', () => {
    const clock = manualClock(may10Noon);
    const ids = generator(clock);
    const sinceMonthStart = (may10Noon - may1).toString(16).toUpperCase().padStart(8, '0');
    expect(sinceMonthStart).toBe('30EC6A00'); // 9 days 12 hours, where days are 24 h long
    expect(ids.next()).toBe('C0A80114' + '1234' + '12345678' + sinceMonthStart + '0000');
    expect(ids.next()).toBe('C0A80114' + '1234' + '12345678' + sinceMonthStart + '0001');
  });

  it('keeps the low 16 bits of the pid', () => {
    const id = generator(manualClock(may10Noon), { pid: 70_000 }).next();
    expect(id.slice(8, 12)).toBe('1170');
    expect(parseUniqueMessageId(id).pid).toBe(70_000 & 0xffff);
  });

  it('wraps the counter after 65,536 ids', () => {
    const ids = generator(manualClock(may10Noon));
    let last = '';
    for (let i = 0; i <= 0xffff; i++) last = ids.next();
    expect(last.slice(-4)).toBe('FFFF');
    expect(ids.next().slice(-4)).toBe('0000');
  });

  it('restarts the time part when a new month begins', () => {
    const clock = manualClock(may10Noon);
    const ids = generator(clock);
    clock.set(new Date(2024, 5, 1, 0, 0, 0, 5).getTime());
    expect(parseUniqueMessageId(ids.next()).sinceMonthStartMs).toBe(5);
  });

  it('writes the offset as Java’s (int) cast does once it passes 2^31 late in a 31-day month', () => {
    const clock = manualClock(new Date(2024, 4, 31, 12).getTime());
    const id = generator(clock).next();
    const span = clock.now() - may1;
    expect(span).toBeGreaterThan(2 ** 31);
    expect(id.slice(20, 28)).toBe(span.toString(16).toUpperCase());
    expect(parseUniqueMessageId(id).sinceMonthStartMs).toBe(span);
    expect(uniqueMessageIdTimestamp(id, clock.now() + 1000)).toBe(clock.now());
  });

  it('writes 0 when the clock steps back a little before the month start (Java’s NTP guard)', () => {
    const clock = manualClock(may10Noon);
    const ids = generator(clock);
    clock.set(may1 - 500);
    expect(ids.next().slice(20, 28)).toBe('00000000');
    clock.set(may1 - 2_000_000);
    expect(ids.next().slice(20, 28)).toBe('FFE17B80'); // -2,000,000 as an unsigned int
  });

  it('is 56 digits with an IPv6 address', () => {
    const v6 = Buffer.from('20010db8000000000000000000000001', 'hex');
    const id = generator(manualClock(may10Noon), { ip: v6 }).next();
    expect(id).toHaveLength(56);
    const parts = parseUniqueMessageId(id);
    expect(hexOf(parts.ip)).toBe('20010db8000000000000000000000001');
    expect(parts).toMatchObject({ pid: 4660, classLoaderHash: 0x12345678, counter: 0 });
  });

  it('refuses an ip that is neither 4 nor 16 bytes', () => {
    expect(() => generator(manualClock(0), { ip: Uint8Array.of(1, 2, 3) })).toThrow(RangeError);
  });

  it('picks one random class-loader hash per process', () => {
    expect(processClassLoaderHash()).toBe(processClassLoaderHash());
    expect(processClassLoaderHash()).toBeGreaterThanOrEqual(0);
    const id = new UniqueMessageIdGenerator({ clock: manualClock(may10Noon), ip }).next();
    expect(parseUniqueMessageId(id)).toMatchObject({
      classLoaderHash: processClassLoaderHash(),
      pid: process.pid & 0xffff,
    });
  });
});

describe('UNIQ_KEY parsing', () => {
  it('splits an id into its parts', () => {
    expect(parseUniqueMessageId('C0A80114' + '1234' + '12345678' + '30EC6A00' + 'ABCD')).toEqual({
      ip: Buffer.from('c0a80114', 'hex'),
      pid: 0x1234,
      classLoaderHash: 0x12345678,
      sinceMonthStartMs: 0x30ec6a00,
      counter: 0xabcd,
    });
  });

  it('works out when an id was made, as getNearlyTimeFromID does', () => {
    const ids = new UniqueMessageIdGenerator({
      clock: { now: () => new Date(2024, 4, 20, 12).getTime() },
      ip: Uint8Array.of(1, 2, 3, 4),
    });
    const id = ids.next();
    const made = new Date(2024, 4, 20, 12).getTime();
    expect(uniqueMessageIdTimestamp(id, made + 3_600_000)).toBe(made); // later the same month
    expect(uniqueMessageIdTimestamp(id, new Date(2024, 5, 3).getTime())).toBe(made); // next month
    // Java's quirk: at the very same millisecond, "this month" is not before now, so last month.
    expect(uniqueMessageIdTimestamp(id, made)).toBe(
      new Date(2024, 3, 1).getTime() + (made - new Date(2024, 4, 1).getTime()),
    );
  });

  it.each(['', 'C0A80114', 'C0A80114123412345678ZZZZZZZZABCD', 'C0A8011412341234567830EC6A00ABCD00'])(
    'refuses %j',
    (id) => {
      expectIdError(() => parseUniqueMessageId(id));
    },
  );
});

describe('localIpForMessageIds', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;

  it('prefers a public IPv4 address, then a global IPv6 one, then a private IPv4 one', () => {
    const lo = nic('127.0.0.1', 'IPv4', true);
    expect(
      hexOf(localIpForMessageIds({ lo: [lo], eth0: [nic('10.1.2.3', 'IPv4'), nic('8.8.4.4', 'IPv4')] })),
    ).toBe('08080404');
    expect(
      hexOf(
        localIpForMessageIds({
          eth0: [nic('10.1.2.3', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')],
        }),
      ),
    ).toBe('20010db8000000000000000000000005');
    expect(hexOf(localIpForMessageIds({ eth0: [nic('172.20.0.2', 'IPv4'), nic('fd00::1', 'IPv6')] }))).toBe(
      'ac140002',
    );
    expect(hexOf(localIpForMessageIds({ lo: [lo] }))).toBe('7f000001');
  });
});

describe('UNIQ_KEY counter', () => {
  it('is shared by the generators of a process, so two producers never repeat an id in one millisecond', () => {
    const clock = { now: () => new Date(2024, 4, 20, 12).getTime() };
    const a = new UniqueMessageIdGenerator({
      clock,
      ip: Uint8Array.of(1, 2, 3, 4),
      pid: 1,
      classLoaderHash: 1,
    });
    const b = new UniqueMessageIdGenerator({
      clock,
      ip: Uint8Array.of(1, 2, 3, 4),
      pid: 1,
      classLoaderHash: 1,
    });
    const ids = new Set([a.next(), b.next(), a.next(), b.next()]);
    expect(ids.size).toBe(4);
  });
});
