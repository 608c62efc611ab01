// Helpers for tests that run Keel servers: ephemeral ports and awaiting typed events.
export { awaitEvent, waitFor, type AwaitEventOptions, type WaitForOptions } from './await-event';
export { closeServer, findFreeBrokerPort, listenOnEphemeralPort } from './servers';
