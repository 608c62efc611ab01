// Preloaded (`node --require`) into the `keel broker` child process of the broker benchmark:
// answers each 'cpu' message from the parent with this process's CPU time so far (every thread,
// user and system, in microseconds). Measuring inside the broker's own process is what makes the
// per-request CPU figure the broker's alone: the load generator runs in the parent.
//
// Loaded before the broker, it must not touch anything else; the parent disconnects the IPC
// channel before stopping the broker so the channel does not keep the process alive.

export interface CpuReport {
  readonly userMicros: number;
  readonly systemMicros: number;
}

process.on('message', (message: unknown) => {
  if (message !== 'cpu') return;
  const usage = process.cpuUsage();
  const report: CpuReport = { userMicros: usage.user, systemMicros: usage.system };
  process.send?.(report);
});
