// The broker settings of the example, shared by the embedded cluster and the multi-process
// broker.properties (docs/example.md explains each). They shorten RocketMQ's production timings
// so that what recovery does is visible within a run instead of within minutes.

export const EXAMPLE_BROKER_SETTINGS = {
  brokerClusterName: 'KeelExample',
  brokerName: 'broker-a',
  // A half message whose END_TRANSACTION never came is checked back 3 s after it was sent
  // (default 6 s), in rounds every second (default 60 s).
  transactionTimeOut: 3_000,
  transactionCheckInterval: 1_000,
  // Retries of a failed handler come back after about a second instead of 10 s, 30 s, 1 min, ...
  messageDelayLevel: '1s 1s 1s 1s 1s 2s 2s 2s 2s 2s 3s 3s 3s 3s 3s 5s 5s 5s',
  // Small segment files: the example stores a few MiB (the default is 1 GiB per commit-log file).
  mappedFileSizeCommitLog: 64 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 20 * 100_000,
} as const;

/** The topics, created at start with this many queues, so no consumer waits for a route. */
export const EXAMPLE_QUEUES_PER_TOPIC = 4;
