import {
  ConfigError,
  ErrorCodes,
  formatConfigProblem,
  IllegalStateError,
  isKeelError,
  isRetriable,
  KeelError,
  TimeoutError,
} from '../../src/common/errors';

describe('KeelError', () => {
  it('carries code, retriable and cause, and is named after its class', () => {
    const cause = new Error('socket reset');
    const error = new KeelError('FLUSH_FAILED', 'flush failed', { retriable: true, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KeelError');
    expect(error.code).toBe('FLUSH_FAILED');
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('KeelError: flush failed');
  });

  it('is not retriable and has no own cause unless told', () => {
    const error = new KeelError('X', 'x');
    expect(error.retriable).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(error, 'cause')).toBe(false);
  });

  it('names subclasses by new.target, including subclasses of subclasses', () => {
    class SlowFlushError extends TimeoutError {}
    const error = new SlowFlushError('flush', 5);
    expect(error.name).toBe('SlowFlushError');
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
  });

  it('lets code decide by retriable, and treats foreign errors as not retriable', () => {
    expect(isRetriable(new TimeoutError('send', 3_000))).toBe(true);
    expect(isRetriable(new IllegalStateError('closed'))).toBe(false);
    expect(isRetriable(new Error('ECONNRESET'))).toBe(false);
    expect(isRetriable('timeout')).toBe(false);
    expect(isKeelError(new IllegalStateError('closed'))).toBe(true);
    expect(isKeelError(new Error('x'))).toBe(false);
  });
});

describe('TimeoutError', () => {
  it('names the operation and the timeout, and keeps the cause', () => {
    const cause = new Error('no answer');
    const error = new TimeoutError('send to broker-a', 3_000, { cause });
    expect(error.message).toBe('send to broker-a timed out after 3000 ms');
    expect(error.operation).toBe('send to broker-a');
    expect(error.timeoutMs).toBe(3_000);
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
  });
});

describe('IllegalStateError', () => {
  it('has its code and is not retriable', () => {
    const error = new IllegalStateError('producer is closed');
    expect(error.code).toBe(ErrorCodes.ILLEGAL_STATE);
    expect(error.retriable).toBe(false);
    expect(error.name).toBe('IllegalStateError');
  });
});

describe('ConfigError', () => {
  it('lists every problem with its location, one per line', () => {
    const error = new ConfigError(
      [
        {
          kind: 'unknown-key',
          source: 'broker.properties',
          line: 3,
          key: 'brokerld',
          message: 'unknown key, did you mean brokerId?',
          suggestion: 'brokerId',
        },
        { kind: 'missing', key: 'brokerName', message: 'is required; add brokerName=<string>' },
      ],
      { subject: 'broker' },
    );
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.retriable).toBe(false);
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe(
      [
        'Invalid broker configuration (2 problems):',
        '  broker.properties:3: brokerld: unknown key, did you mean brokerId?',
        '  brokerName: is required; add brokerName=<string>',
      ].join('\n'),
    );
  });

  it('keeps its own copy of the problems', () => {
    const problems = [{ kind: 'missing' as const, key: 'a', message: 'is required' }];
    const error = new ConfigError(problems);
    problems.length = 0;
    expect(error.problems).toHaveLength(1);
    expect(error.message).toBe('Invalid configuration (1 problem):\n  a: is required');
  });
});

describe('formatConfigProblem', () => {
  it('prefixes what is known of source, line and key', () => {
    expect(formatConfigProblem({ kind: 'syntax', source: 'a.properties', line: 7, message: 'm' })).toBe(
      'a.properties:7: m',
    );
    expect(formatConfigProblem({ kind: 'syntax', line: 7, message: 'm' })).toBe('<input>:7: m');
    expect(formatConfigProblem({ kind: 'rule', source: 'cli', key: 'k', message: 'm' })).toBe('cli: k: m');
    expect(formatConfigProblem({ kind: 'rule', message: 'm' })).toBe('m');
  });
});
