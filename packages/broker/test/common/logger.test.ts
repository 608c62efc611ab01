import { FakeClock } from '../../src/common/fake-clock';
import { KeelError } from '../../src/common/errors';
import { createLogger, formatLogLine } from '../../src/common/logger';

describe('logger', () => {
  const setup = (level?: 'error' | 'warn' | 'info' | 'debug') => {
    const lines: string[] = [];
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 20, 51, 0, 123));
    const log = createLogger({
      clock,
      component: 'broker',
      sink: (line) => lines.push(line),
      ...(level ? { level } : {}),
    });
    return { lines, clock, log };
  };

  it('writes one line per event with the clock time, padded level, component and fields', () => {
    const { lines, log } = setup();
    log.info('ready', { address: '10.0.0.5:10911', role: 'ASYNC_MASTER', id: 0, absent: undefined });
    expect(lines).toEqual([
      '2026-11-25T20:51:00.123Z INFO  [broker] ready address=10.0.0.5:10911 role=ASYNC_MASTER id=0',
    ]);
  });

  it('writes only the configured level and those more severe (info by default)', () => {
    const { lines, log } = setup();
    log.debug('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
    expect(log.isEnabled('debug')).toBe(false);

    const quiet = setup('error');
    quiet.log.warn('hidden');
    quiet.log.error('shown');
    expect(quiet.lines).toEqual([expect.stringContaining('ERROR [broker] shown')]);
  });

  it('child loggers name the part and share level, clock and sink', () => {
    const { lines, log, clock } = setup('debug');
    clock.advance(1000);
    log.child('store').debug('opened');
    expect(lines).toEqual(['2026-11-25T20:51:01.123Z DEBUG [broker.store] opened']);
  });

  it('keeps every event on one line and quotes values that would read as several fields', () => {
    const line = formatLogLine(0, 'warn', 'x', 'two\nlines', {
      path: '/a b/c',
      empty: '',
      error: new KeelError('CONFIG_INVALID', 'bad\nconfig'),
    });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(
      '1970-01-01T00:00:00.000Z WARN  [x] two\\nlines path="/a b/c" empty="" error="KeelError(CONFIG_INVALID): bad\\nconfig"',
    );
  });
});
