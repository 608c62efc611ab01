// The producer: sends, batches, ordered sends, and the pieces applications may configure.
export { Producer, type SendOptions } from './producer';
export { PRODUCER_DEFAULTS, type ProducerOptions, type ResolvedProducerOptions } from './producer-options';
export { SendStatus, type SendResult } from './send-result';
export { selectByHash, type MessageQueueSelector } from './queue-selector';
export { LatencyFaultTolerance, notAvailableDurationMs, FAILURE_LATENCY_MS } from './latency-fault-tolerance';
