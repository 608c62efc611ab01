// Shared basics of every part of Keel: time, errors, config, events.
export {
  checkTimerDelay,
  MAX_TIMER_DELAY_MS,
  sleep,
  systemClock,
  type Clock,
  type TimerHandle,
} from './clock';
export * from './config/index';
export {
  ConfigError,
  ErrorCodes,
  formatConfigProblem,
  IllegalStateError,
  isKeelError,
  isRetriable,
  KeelError,
  TimeoutError,
  type ConfigProblem,
  type ConfigProblemKind,
  type KeelErrorOptions,
} from './errors';
export { FAKE_CLOCK_DEFAULT_EPOCH_MS, FAKE_CLOCK_DEFAULT_MAX_TIMERS, FakeClock } from './fake-clock';
export {
  createLogger,
  LOG_LEVELS,
  silentLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
  type LogValue,
} from './logger';
export { parseProperties, type ParsedProperties, type PropertyEntry } from './properties-file';
export { TypedEmitter, type EmitArgs, type Listener, type TypedEmitterOptions } from './typed-emitter';
