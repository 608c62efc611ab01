// Cost per operation, in wall time and in CPU time of the whole process (every thread: libuv's
// pool does the store's file I/O, so CPU can exceed wall time for the store operations).

export interface OpCost {
  readonly wallNsPerOp: number;
  readonly cpuNsPerOp: number;
}

/** User + system CPU of this process since `since` (or since it started), in microseconds. */
export function cpuMicrosSince(since?: NodeJS.CpuUsage): number {
  const usage = process.cpuUsage(since);
  return usage.user + usage.system;
}

export function costPerOp(operations: number, startNs: bigint, cpuStart: NodeJS.CpuUsage): OpCost {
  const wallNs = Number(process.hrtime.bigint() - startNs);
  return { wallNsPerOp: wallNs / operations, cpuNsPerOp: (cpuMicrosSince(cpuStart) * 1000) / operations };
}

/**
 * Runs `operation` `iterations` times after a warm-up of a tenth as many (so the JIT has compiled
 * it). `operation` returns a number that is summed and checked, so the work cannot be optimised away.
 */
export function timeSync(iterations: number, operation: (i: number) => number): OpCost {
  let sink = 0;
  for (let i = 0; i < Math.ceil(iterations / 10); i++) sink += operation(i);
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += operation(i);
  const cost = costPerOp(iterations, start, cpuStart);
  if (!Number.isFinite(sink)) throw new Error('benchmark operation returned a non-finite value');
  return cost;
}
