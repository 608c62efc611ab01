// Helpers for tests that run Keel servers: ephemeral ports, awaiting typed events, a chaos proxy.
export { awaitEvent, waitFor, type AwaitEventOptions, type WaitForOptions } from './await-event';
export { closeServer, findFreeBrokerPort, listenOnEphemeralPort } from './servers';
export { ChaosProxy, type ChaosMode } from './chaos-proxy';
