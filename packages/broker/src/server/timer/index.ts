export { TimerService, timerDirOf, type TimerServiceOptions, type TimerStatus } from './timer-service';
export { TimerErrorCodes, TimerFilesError } from './timer-errors';
export { TIMER_BUCKET_MS } from './timer-bucket-layout';
