import { describeHostPortProblem, describeHostProblem } from '../../../src/server/config/host-address';
import { parseMessageDelayLevels } from '../../../src/server/config/message-delay-levels';

describe('host addresses', () => {
  it.each(['127.0.0.1', 'broker-a.example.com', 'localhost'])('accepts the host %s', (host) => {
    expect(describeHostProblem(host)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['fe80::1', 'IPv6'],
    ['bad host', 'neither an IPv4 address nor a host name'],
    ['-x', 'neither'],
  ])('refuses the host %j', (host, expected) => {
    expect(describeHostProblem(host)).toContain(expected);
  });

  it.each([
    ['10.0.0.1:9876', undefined],
    ['ns:1', undefined],
    ['ns', 'has no port'],
    ['ns:0', "the port '0'"],
    ['ns:abc', "the port 'abc'"],
    [':9876', 'the host is empty'],
  ])('checks host:port %j', (address, expected) => {
    const problem = describeHostPortProblem(address);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });
});

describe('parseMessageDelayLevels', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseMessageDelayLevels(' 1s  2m 3h 1d ')).toEqual({
      ok: true,
      delaysMs: [1000, 120_000, 10_800_000, 86_400_000],
    });
  });

  it.each(['', '1s 5', '0s', '1.5s', '1w'])('refuses %j', (text) => {
    expect(parseMessageDelayLevels(text).ok).toBe(false);
  });
});
