import { EventEmitter } from 'node:events';
import { FakeClock } from '../../src/common/fake-clock';
import { TimeoutError } from '../../src/common/errors';
import { TypedEmitter } from '../../src/common/typed-emitter';
import { awaitEvent, waitFor } from '../../src/testing/await-event';

interface Events {
  stored: { offset: number };
  closed: void;
}

describe('awaitEvent', () => {
  it('resolves with the payload of a typed emitter event, then stops listening', async () => {
    const emitter = new TypedEmitter<Events>();
    const clock = new FakeClock();
    const stored = awaitEvent(emitter, 'stored', { timeoutMs: 1_000, clock });
    emitter.emit('stored', { offset: 7 });
    await expect(stored).resolves.toEqual({ offset: 7 });
    expect(emitter.listenerCount('stored')).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('skips events until the predicate matches', async () => {
    const emitter = new TypedEmitter<Events>();
    const third = awaitEvent(emitter, 'stored', { timeoutMs: 1_000, predicate: (e) => e.offset >= 3 });
    for (let offset = 1; offset <= 4; offset++) emitter.emit('stored', { offset });
    await expect(third).resolves.toEqual({ offset: 3 });
  });

  it('rejects with a TimeoutError naming the event and the timeout, on the given clock', async () => {
    const emitter = new TypedEmitter<Events>();
    const clock = new FakeClock();
    const closed = awaitEvent(emitter, 'closed', { timeoutMs: 250, clock });
    clock.advance(249);
    emitter.emit('stored', { offset: 1 });
    clock.advance(1);
    const error: unknown = await closed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe("waiting for event 'closed' timed out after 250 ms");
    expect((error as TimeoutError).timeoutMs).toBe(250);
    expect(emitter.listenerCount('closed')).toBe(0);
  });

  it('rejects with the error of a throwing predicate', async () => {
    const emitter = new TypedEmitter<Events>();
    const boom = new Error('bad predicate');
    const waiting = awaitEvent(emitter, 'stored', {
      timeoutMs: 1_000,
      predicate: () => {
        throw boom;
      },
    });
    emitter.emit('stored', { offset: 1 });
    await expect(waiting).rejects.toBe(boom);
  });

  it('works with a Node EventEmitter, resolving with the first argument', async () => {
    const emitter = new EventEmitter();
    const event = awaitEvent(emitter, 'data', { timeoutMs: 1_000, predicate: (chunk) => chunk === 'b' });
    emitter.emit('data', 'a');
    emitter.emit('data', 'b', 'extra');
    await expect(event).resolves.toBe('b');
    expect(emitter.listenerCount('data')).toBe(0);
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it("rejects at once on a Node emitter's 'error' event", async () => {
    const emitter = new EventEmitter();
    const failure = new Error('ECONNRESET');
    const event = awaitEvent(emitter, 'data', { timeoutMs: 60_000 });
    emitter.emit('error', failure);
    await expect(event).rejects.toBe(failure);
    expect(emitter.listenerCount('data')).toBe(0);
  });

  it("can await a Node emitter's 'error' event itself", async () => {
    const emitter = new EventEmitter();
    const failure = new Error('x');
    const event = awaitEvent(emitter, 'error', { timeoutMs: 1_000 });
    emitter.emit('error', failure);
    await expect(event).resolves.toBe(failure);
  });
});

describe('waitFor', () => {
  it('resolves with the first value that is not undefined, null or false', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls < 3 ? undefined : { ready: calls }), {
      timeoutMs: 1_000,
      intervalMs: 1,
    });
    expect(value).toEqual({ ready: 3 });
  });

  it('accepts falsy values other than undefined, null and false', async () => {
    await expect(waitFor(() => 0, { timeoutMs: 100 })).resolves.toBe(0);
    await expect(waitFor(async () => '', { timeoutMs: 100 })).resolves.toBe('');
  });

  it('polls on the given clock and times out with a TimeoutError naming what it waited for', async () => {
    const clock = new FakeClock();
    let checks = 0;
    const waiting = waitFor(
      () => {
        checks++;
        return false;
      },
      { timeoutMs: 100, intervalMs: 30, clock, description: 'offset 42 committed' },
    );
    const outcome = waiting.catch((e: unknown) => e);
    await clock.advanceAsync(100);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe('waiting for offset 42 committed timed out after 100 ms');
    // Checks at 0, 30, 60, 90 and a last one at the deadline.
    expect(checks).toBe(5);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once when the condition throws', async () => {
    const boom = new Error('bug');
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls++;
          throw boom;
        },
        { timeoutMs: 1_000 },
      ),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });
});
