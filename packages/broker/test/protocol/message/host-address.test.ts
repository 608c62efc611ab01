import fc from 'fast-check';
import {
  InvalidHostAddressError,
  MessageErrorCodes,
  formatHostAddress,
  formatIp,
  hostAddressOf,
  hostAddressSize,
  parseHostAddress,
  parseIp,
  readHostAddress,
  writeHostAddress,
} from '../../../src/protocol/message';

const hexOf = (ip: Uint8Array): string => Buffer.from(ip).toString('hex');

describe('parseHostAddress', () => {
  it.each([
    ['1.2.3.4:10911', '01020304', 10_911],
    ['0.0.0.0:0', '00000000', 0],
    ['255.255.255.255:65535', 'ffffffff', 65_535],
    ['[::1]:10911', '00000000000000000000000000000001', 10_911],
    ['::1:10911', '00000000000000000000000000000001', 10_911], // Java splits at the last colon
    ['[2001:db8::8a2e:370:7334]:80', '20010db80000000000008a2e03707334', 80],
    ['[2001:DB8:0:0:0:0:0:1]:80', '20010db8000000000000000000000001', 80],
    ['[::]:1', '00000000000000000000000000000000', 1],
    ['[1::]:1', '00010000000000000000000000000000', 1],
    ['[::1.2.3.4]:1', '00000000000000000000000001020304', 1], // IPv4-compatible stays IPv6
    ['[64:ff9b::1.2.3.4]:1', '0064ff9b000000000000000001020304', 1],
    ['[::ffff:192.168.1.1]:9876', 'c0a80101', 9876], // IPv4-mapped becomes IPv4, as in Java
    ['[::ffff:c0a8:101]:9876', 'c0a80101', 9876],
  ])('%s', (text, ip, port) => {
    const host = parseHostAddress(text);
    expect(hexOf(host.ip)).toBe(ip);
    expect(host.port).toBe(port);
  });

  it.each([
    'localhost:10911', // names are not resolved here
    '1.2.3.4',
    '1.2.3.4:',
    '1.2.3.4:65536',
    '1.2.3.4:-1',
    '1.2.3.4:1e3',
    '256.1.1.1:80',
    '01.2.3.4:80',
    '[::1]',
    '[::1]80',
    '[1.2.3.4]:80',
    'fe80::1%eth0:80', // a zone does not fit in 16 bytes
    '[fe80::1%eth0]:80',
    ':80',
    '',
  ])('refuses %j with a typed error', (text) => {
    let error: unknown;
    try {
      parseHostAddress(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidHostAddressError);
    expect(error).toMatchObject({
      code: MessageErrorCodes.HOST_ADDRESS_INVALID,
      retriable: false,
      input: text,
    });
  });
});

describe('hostAddressOf', () => {
  it('takes a socket address, mapping Node’s IPv4-mapped form back to IPv4', () => {
    expect(hexOf(hostAddressOf('::ffff:127.0.0.1', 5000).ip)).toBe('7f000001');
    expect(hexOf(hostAddressOf('::1', 5000).ip)).toBe('00000000000000000000000000000001');
    expect(() => hostAddressOf('example.com', 1)).toThrow(InvalidHostAddressError);
    expect(() => hostAddressOf('1.2.3.4', 70_000)).toThrow(InvalidHostAddressError);
  });
});

describe('formatting', () => {
  it.each([
    ['01020304', '1.2.3.4'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'], // longest zero run
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // first of equal runs
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // one zero group is not shortened
    ['00010000000000000000000000000000', '1::'],
  ])('formats %s as %s (RFC 5952)', (ip, text) => {
    expect(formatIp(Buffer.from(ip, 'hex'))).toBe(text);
  });

  it('formats host addresses with brackets around IPv6', () => {
    expect(formatHostAddress(parseHostAddress('1.2.3.4:10911'))).toBe('1.2.3.4:10911');
    expect(formatHostAddress(parseHostAddress('::1:10911'))).toBe('[::1]:10911');
  });

  it('round-trips any IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65_535 }), (ip, port) => {
        expect(formatHostAddress(parseHostAddress(`${ip}:${port}`))).toBe(`${ip}:${port}`);
      }),
    );
  });

  it('round-trips any IPv6 address through its canonical text', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 65_535 }), (ip, port) => {
        const host = parseHostAddress(`[${ip}]:${port}`);
        const again = parseHostAddress(formatHostAddress(host));
        expect(hexOf(again.ip)).toBe(hexOf(host.ip));
        expect(again.port).toBe(port);
      }),
    );
  });

  it('parses what it formats for any 16 bytes that are not IPv4-mapped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (ip) => {
        fc.pre(!(ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff));
        expect(hexOf(parseIp(formatIp(ip)) ?? new Uint8Array())).toBe(hexOf(ip));
      }),
    );
  });
});

describe('record fields', () => {
  it('writes ip then a 4-byte port, and reads it back as a view', () => {
    const buf = Buffer.alloc(28);
    expect(writeHostAddress(buf, 0, parseHostAddress('10.0.0.1:10911'))).toBe(8);
    expect(writeHostAddress(buf, 8, parseHostAddress('[::2]:1'))).toBe(28);
    expect(buf.subarray(0, 8).toString('hex')).toBe('0a00000100002a9f');
    const v4 = readHostAddress(buf, 0, false);
    expect(formatHostAddress(v4)).toBe('10.0.0.1:10911');
    expect((v4.ip as Buffer).buffer).toBe(buf.buffer);
    expect(formatHostAddress(readHostAddress(buf, 8, true))).toBe('[::2]:1');
    expect(hostAddressSize(v4)).toBe(8);
    expect(hostAddressSize(readHostAddress(buf, 8, true))).toBe(20);
  });
});
