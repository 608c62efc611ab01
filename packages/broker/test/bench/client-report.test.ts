import {
  Figure,
  judgeTargets,
  latencyFigure,
  medianOfPresent,
  RATIOS,
  ratioPerRun,
  renderClientReport,
  type RunFigures,
} from '../../bench/client-report';

function run(figures: Record<string, number>): RunFigures {
  return new Map(Object.entries(figures));
}

const asyncVsNats = RATIOS.find(
  (spec) => spec.numerator === Figure.keelAsync512 && spec.denominator === Figure.natsFastest,
)!;

describe('client benchmark report', () => {
  it('takes ratios within each run and leaves runs without the peer out', () => {
    const runs = [
      run({ [Figure.keelAsync512]: 30_000, [Figure.natsFastest]: 20_000 }),
      run({ [Figure.keelAsync512]: 10_000 }),
      run({ [Figure.keelAsync512]: 40_000, [Figure.natsFastest]: 80_000 }),
    ];
    const ratios = ratioPerRun(runs, asyncVsNats);
    expect(ratios).toEqual([1.5, undefined, 0.5]);
    // Median of the per-run ratios, not the ratio of medians (which would be 30,000 / 50,000).
    expect(medianOfPresent(ratios)).toBe(1);
    expect(medianOfPresent([undefined])).toBeUndefined();
  });

  it('judges each target as met, missed or not measured', () => {
    const runs = [
      run({
        [Figure.keelAsync512]: 100,
        [Figure.natsFastest]: 50,
        [Figure.rabbit512]: 50,
        [Figure.keelSyncOne]: 90,
        [Figure.fdatasyncRate]: 100,
        [latencyFigure('Keel', 'p99')]: 2,
        [latencyFigure('NATS', 'p99')]: 1,
      }),
    ];
    const verdicts = new Map(judgeTargets(runs).map((outcome) => [outcome.target, outcome.verdict]));
    expect(verdicts.get('Keel async 512 / NATS fastest ≥ 1')).toBe('met');
    expect(verdicts.get('Keel async 512 / RabbitMQ quorum ≥ 3')).toBe('missed');
    expect(verdicts.get('Keel sync 512 / RabbitMQ quorum ≥ 2')).toBe('not measured');
    expect(verdicts.get('Keel sync 1 in flight / disk fdatasync rate ≥ 0.8')).toBe('met');
    expect(verdicts.get('Keel p99 ≤ 3 ms at 5,000 msgs/s')).toBe('met');
    expect(verdicts.get("Keel p99 below NATS's")).toBe('missed');
    expect(verdicts.get("Keel p99 below RabbitMQ's")).toBe('not measured');
  });

  it('renders every figure with its runs, and a dash for a skipped peer', () => {
    const text = renderClientReport([
      run({ [Figure.keelAsync512]: 30_000, [Figure.rabbit512]: 10_000 }),
      run({ [Figure.keelAsync512]: 32_000 }),
    ]);
    expect(text).toContain(`| ${Figure.keelAsync512} | 31,000 | 30,000, 32,000 |`);
    expect(text).toContain(`| ${Figure.rabbit512} | 10,000 | 10,000, — |`);
    expect(text).toContain('| Keel async 512 / RabbitMQ quorum | 3.00 | 3.00, — |');
  });
});
