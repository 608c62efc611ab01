// The client benchmark's figures per run, the Keel/peer ratios taken within each run, and the
// issue's targets judged on the median of those ratios (the machine's disk and CPU vary from run
// to run, so a ratio of two medians from different runs would mix conditions).
import { fmt, median } from './bench-util';

/** Named figures of one run; a missing figure means its peer was not reachable. */
export type RunFigures = ReadonlyMap<string, number>;

export const Figure = {
  fdatasyncRate: 'disk: 1 KiB write + fdatasync, per s',
  keelAsync512: 'Keel ASYNC_FLUSH, 512 in flight, msgs/s',
  keelSync512: 'Keel SYNC_FLUSH, 512 in flight, msgs/s',
  keelSyncOne: 'Keel SYNC_FLUSH, 1 in flight, msgs/s',
  keelBatch: 'Keel ASYNC_FLUSH, sendBatch of 32, 16 in flight, msgs/s',
  natsWindow512: 'NATS JetStream file, 512 in flight (sliding), msgs/s',
  natsBatches512: 'NATS JetStream file, windows of 512 awaited together, msgs/s',
  natsFastest: 'NATS JetStream file, fastest 512 path, msgs/s',
  rabbit512: 'RabbitMQ quorum, 512 confirms outstanding, msgs/s',
} as const;

export type LatencySystem = 'Keel' | 'NATS' | 'RabbitMQ';

export function latencyFigure(system: LatencySystem, percentile: 'p50' | 'p99' | 'p999'): string {
  return `${system} latency at 5,000 msgs/s, ${percentile} ms`;
}

export function cpuFigure(throughputFigure: string): string {
  return `${throughputFigure.replace(/, msgs\/s$/, '')}: producer CPU µs/msg`;
}

export interface RatioSpec {
  readonly name: string;
  readonly numerator: string;
  readonly denominator: string;
  /** The ratio the issue asks for at least, when it asks for one. */
  readonly target?: number;
}

export const RATIOS: readonly RatioSpec[] = [
  {
    name: 'Keel async 512 / NATS fastest',
    numerator: Figure.keelAsync512,
    denominator: Figure.natsFastest,
    target: 1,
  },
  {
    name: 'Keel async 512 / RabbitMQ quorum',
    numerator: Figure.keelAsync512,
    denominator: Figure.rabbit512,
    target: 3,
  },
  {
    name: 'Keel sync 512 / RabbitMQ quorum',
    numerator: Figure.keelSync512,
    denominator: Figure.rabbit512,
    target: 2,
  },
  {
    name: 'Keel sync 1 in flight / disk fdatasync rate',
    numerator: Figure.keelSyncOne,
    denominator: Figure.fdatasyncRate,
    target: 0.8,
  },
  { name: 'Keel batch / Keel async 512', numerator: Figure.keelBatch, denominator: Figure.keelAsync512 },
  {
    name: 'Keel p99 / NATS p99 (latency)',
    numerator: latencyFigure('Keel', 'p99'),
    denominator: latencyFigure('NATS', 'p99'),
  },
  {
    name: 'Keel p99 / RabbitMQ p99 (latency)',
    numerator: latencyFigure('Keel', 'p99'),
    denominator: latencyFigure('RabbitMQ', 'p99'),
  },
];

/** The ratio in each run; undefined in a run that lacks either figure. */
export function ratioPerRun(runs: readonly RunFigures[], spec: RatioSpec): Array<number | undefined> {
  return runs.map((run) => {
    const numerator = run.get(spec.numerator);
    const denominator = run.get(spec.denominator);
    if (numerator === undefined || denominator === undefined || denominator === 0) return undefined;
    return numerator / denominator;
  });
}

/** Median of the runs that have a value; undefined when none has. */
export function medianOfPresent(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length === 0 ? undefined : median(present);
}

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetOutcome {
  readonly target: string;
  readonly value: string;
  readonly verdict: Verdict;
}

function judge(value: number | undefined, holds: (value: number) => boolean): Verdict {
  if (value === undefined) return 'not measured';
  return holds(value) ? 'met' : 'missed';
}

function ratioMedian(runs: readonly RunFigures[], name: string): number | undefined {
  const spec = RATIOS.find((ratio) => ratio.name === name);
  if (spec === undefined) throw new Error(`no ratio named ${name}`);
  return medianOfPresent(ratioPerRun(runs, spec));
}

/** The targets, judged on medians of per-run ratios (and of per-run p99s). */
export function judgeTargets(runs: readonly RunFigures[]): TargetOutcome[] {
  const outcomes: TargetOutcome[] = RATIOS.filter((spec) => spec.target !== undefined).map((spec) => {
    const value = medianOfPresent(ratioPerRun(runs, spec));
    const target = spec.target!;
    return {
      target: `${spec.name} ≥ ${target}`,
      value: value === undefined ? '—' : `${fmt(value, 2)}×`,
      verdict: judge(value, (v) => v >= target),
    };
  });
  const keelP99 = medianOfPresent(runs.map((run) => run.get(latencyFigure('Keel', 'p99'))));
  outcomes.push({
    target: 'Keel p99 ≤ 3 ms at 5,000 msgs/s',
    value: keelP99 === undefined ? '—' : `${fmt(keelP99, 2)} ms`,
    verdict: judge(keelP99, (v) => v <= 3),
  });
  for (const peer of ['NATS', 'RabbitMQ'] as const) {
    const ratio = ratioMedian(runs, `Keel p99 / ${peer} p99 (latency)`);
    outcomes.push({
      target: `Keel p99 below ${peer}'s`,
      value: ratio === undefined ? '—' : `${fmt(ratio, 2)}×`,
      verdict: judge(ratio, (v) => v < 1),
    });
  }
  return outcomes;
}

function cell(value: number | undefined): string {
  if (value === undefined) return '—';
  return Math.abs(value) >= 100 ? fmt(value) : fmt(value, 2);
}

/** Markdown tables: figures (median and runs), ratios (median and runs), targets. */
export function renderClientReport(runs: readonly RunFigures[]): string {
  const names = [...new Set(runs.flatMap((run) => [...run.keys()]))];
  const lines = [`| figure | median of ${runs.length} | runs |`, '|---|---:|---|'];
  for (const name of names) {
    const values = runs.map((run) => run.get(name));
    lines.push(`| ${name} | ${cell(medianOfPresent(values))} | ${values.map(cell).join(', ')} |`);
  }
  lines.push('', '| ratio, per run | median | runs |', '|---|---:|---|');
  for (const spec of RATIOS) {
    const values = ratioPerRun(runs, spec);
    lines.push(`| ${spec.name} | ${cell(medianOfPresent(values))} | ${values.map(cell).join(', ')} |`);
  }
  lines.push('', '| target | median | verdict |', '|---|---:|---|');
  for (const outcome of judgeTargets(runs)) {
    lines.push(`| ${outcome.target} | ${outcome.value} | ${outcome.verdict} |`);
  }
  return lines.join('\n');
}
