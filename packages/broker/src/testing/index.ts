// Helpers for tests that run Keel servers: ephemeral ports and awaiting typed events.
export {};
