import { FakeClock } from '../../src/common/fake-clock';
import { createResponse, createRequest } from '../../src/protocol/remoting/remoting-command';
import { ResponseTable } from '../../src/transport/response-table';

function table(clock: FakeClock): ResponseTable {
  return new ResponseTable(clock, (expired, reject) => reject(new Error(`timeout ${expired.opaque}`)));
}

const response = (opaque: number) => createResponse(createRequest({ code: 10, opaque }), 0);

describe('ResponseTable', () => {
  it('completes a request with its response and reports unknown opaques', async () => {
    const clock = new FakeClock();
    const responses = table(clock);
    const pending = responses.register(7, 10, 3000);
    expect(responses.complete(8, response(8))).toBe(false);
    expect(responses.complete(7, response(7))).toBe(true);
    await expect(pending).resolves.toMatchObject({ opaque: 7 });
    expect(responses.size).toBe(0);
  });

  it('times requests out at their own deadlines with a single timer for thousands in flight', async () => {
    const clock = new FakeClock();
    const responses = table(clock);
    const outcomes = new Map<number, string>();
    for (let opaque = 1; opaque <= 5000; opaque++) {
      // Mixed timeouts, so deadlines do not arrive in registration order.
      const timeout = opaque % 2 === 0 ? 1000 : 3000;
      responses.register(opaque, 10, timeout).then(
        () => outcomes.set(opaque, 'ok'),
        () => outcomes.set(opaque, 'timeout'),
      );
    }
    expect(clock.pendingTimers()).toBe(1);
    for (let opaque = 1; opaque <= 5000; opaque += 4) responses.complete(opaque, response(opaque));
    await clock.advanceAsync(999);
    expect([...outcomes.values()].filter((o) => o === 'timeout')).toHaveLength(0);
    await clock.advanceAsync(1);
    // Every even opaque (1000 ms) has expired; odd ones still wait unless completed.
    expect(outcomes.get(2)).toBe('timeout');
    expect(outcomes.get(3)).toBeUndefined();
    expect(outcomes.get(5)).toBe('ok');
    await clock.advanceAsync(2000);
    expect(outcomes.get(3)).toBe('timeout');
    expect(outcomes.size).toBe(5000);
    expect(responses.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fails everything at once when the connection closes', async () => {
    const clock = new FakeClock();
    const responses = table(clock);
    const a = responses.register(1, 10, 3000);
    const b = responses.register(2, 10, 3000);
    responses.failAll(new Error('closed'));
    await expect(a).rejects.toThrow('closed');
    await expect(b).rejects.toThrow('closed');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not time out an opaque reused after completion with the old deadline', async () => {
    const clock = new FakeClock();
    const responses = table(clock);
    const first = responses.register(1, 10, 1000);
    responses.complete(1, response(1));
    await first;
    await clock.advanceAsync(500);
    const second = responses.register(1, 10, 1000);
    let settled = false;
    void second.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.advanceAsync(600); // the first registration's deadline passes
    expect(settled).toBe(false);
    await clock.advanceAsync(400);
    await expect(second).rejects.toThrow('timeout 1');
  });
});

describe('ResponseTable with timeouts beyond a timer', () => {
  it('waits out a timeout longer than the longest timer delay in steps, without throwing', async () => {
    const clock = new FakeClock();
    const responses = table(clock);
    let longSettled = false;
    responses.register(1, 10, 3_000_000_000).then(
      () => (longSettled = true),
      () => (longSettled = true),
    );
    const short = responses.register(2, 10, 100);
    await clock.advanceAsync(100);
    await expect(short).rejects.toThrow('timeout 2');
    await clock.advanceAsync(2_147_483_647);
    expect(longSettled).toBe(false);
    await clock.advanceAsync(3_000_000_000);
    expect(longSettled).toBe(true);
  });
});
