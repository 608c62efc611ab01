import { TypedEmitter } from '../../src/common/typed-emitter';

interface Events {
  message: { topic: string; body: string };
  closed: void;
}

describe('TypedEmitter', () => {
  it('delivers the payload to listeners in registration order', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.on('message', (m) => seen.push(`1:${m.topic}`));
    emitter.on('message', (m) => seen.push(`2:${m.body}`));
    expect(emitter.emit('message', { topic: 't', body: 'b' })).toBe(true);
    expect(seen).toEqual(['1:t', '2:b']);
  });

  it('emits void events without a payload, and reports whether anyone listened', () => {
    const emitter = new TypedEmitter<Events>();
    expect(emitter.emit('closed')).toBe(false);
    const closed = jest.fn();
    emitter.on('closed', closed);
    expect(emitter.emit('closed')).toBe(true);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('unsubscribes exactly the registration that on() returned', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = jest.fn();
    const first = emitter.on('closed', listener);
    emitter.on('closed', listener);
    first();
    first(); // a second call is harmless
    emitter.emit('closed');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('closed')).toBe(1);
  });

  it('runs once() listeners a single time, even if the event fires from inside them', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = jest.fn(() => {
      emitter.emit('closed');
    });
    emitter.once('closed', listener);
    emitter.emit('closed');
    emitter.emit('closed');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('closed')).toBe(0);
  });

  it('off() removes the most recent registration of a listener', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const a = () => seen.push('a');
    emitter.on('closed', a);
    emitter.on('closed', () => seen.push('b'));
    emitter.on('closed', a);
    emitter.off('closed', a);
    emitter.off('closed', () => undefined); // not registered: no-op
    emitter.emit('closed');
    expect(seen).toEqual(['a', 'b']);
  });

  it('emits over a snapshot: changes made by a listener apply from the next emit', () => {
    const emitter = new TypedEmitter<Events>();
    const late = jest.fn();
    let unsubscribeSecond = () => undefined as void;
    emitter.on('closed', () => {
      emitter.on('closed', late);
      unsubscribeSecond();
    });
    const second = jest.fn();
    unsubscribeSecond = emitter.on('closed', second);
    emitter.emit('closed');
    expect(late).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    emitter.emit('closed');
    expect(late).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('without onListenerError, runs every listener and then rethrows the one error', () => {
    const emitter = new TypedEmitter<Events>();
    const boom = new Error('boom');
    const after = jest.fn();
    emitter.on('closed', () => {
      throw boom;
    });
    emitter.on('closed', after);
    expect(() => emitter.emit('closed')).toThrow(boom);
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('without onListenerError, aggregates several errors', () => {
    const emitter = new TypedEmitter<Events>();
    const errors = [new Error('one'), new Error('two')];
    for (const error of errors) {
      emitter.on('closed', () => {
        throw error;
      });
    }
    let caught: unknown;
    try {
      emitter.emit('closed');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AggregateError);
    expect((caught as AggregateError).errors).toEqual(errors);
    expect((caught as AggregateError).message).toBe("2 listeners of 'closed' threw");
  });

  it('with onListenerError, reports each error with its event and does not throw', () => {
    const reported: [unknown, keyof Events][] = [];
    const emitter = new TypedEmitter<Events>({
      onListenerError: (error, event) => reported.push([error, event]),
    });
    const boom = new Error('boom');
    const after = jest.fn();
    emitter.on('closed', () => {
      throw boom;
    });
    emitter.on('closed', after);
    expect(emitter.emit('closed')).toBe(true);
    expect(after).toHaveBeenCalledTimes(1);
    expect(reported).toEqual([[boom, 'closed']]);
  });

  it('with onListenerError, also reports a rejected promise of an async listener', async () => {
    const reported: unknown[] = [];
    const emitter = new TypedEmitter<Events>({ onListenerError: (error) => reported.push(error) });
    const boom = new Error('async boom');
    emitter.on('message', async () => {
      await Promise.resolve();
      throw boom;
    });
    emitter.emit('message', { topic: 't', body: 'b' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([boom]);
  });

  it('removes all listeners of one event or of every event', () => {
    const emitter = new TypedEmitter<Events>();
    emitter.on('closed', () => undefined);
    emitter.on('message', () => undefined);
    emitter.removeAllListeners('closed');
    expect([emitter.listenerCount('closed'), emitter.listenerCount('message')]).toEqual([0, 1]);
    emitter.removeAllListeners();
    expect(emitter.listenerCount('message')).toBe(0);
  });

  it('rejects wrong event names and payloads at compile time', () => {
    const emitter = new TypedEmitter<Events>();
    // @ts-expect-error: no such event
    emitter.on('nope', () => undefined);
    // @ts-expect-error: payload missing
    emitter.emit('message');
    // @ts-expect-error: void events take no payload
    emitter.emit('closed', 1);
    // @ts-expect-error: wrong payload type
    emitter.on('message', (m: number) => m);
    expect(emitter.listenerCount('message')).toBe(1);
  });
});
