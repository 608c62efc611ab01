import fc from 'fast-check';
import { FakeClock } from '../../../src/common/fake-clock';
import {
  checkVerdict,
  firstCheckAt,
  immunityMsOf,
  planCheckRound,
  type CheckSettings,
  type CheckView,
  type RoundCandidate,
} from '../../../src/server/transaction/check-policy';

const settingsArb: fc.Arbitrary<CheckSettings> = fc.record({
  transactionTimeOutMs: fc.integer({ min: 1, max: 20_000 }),
  transactionCheckMax: fc.integer({ min: 1, max: 6 }),
  transactionCheckIntervalMs: fc.integer({ min: 1000, max: 60_000 }),
});

const T0 = 1_700_000_000_000;

const viewArb: fc.Arbitrary<CheckView> = fc
  .record({
    born: fc.integer({ min: -60_000, max: 60_000 }),
    storeDelay: fc.integer({ min: -5_000, max: 5_000 }),
    immunityMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
    checks: fc.integer({ min: 0, max: 8 }),
    lastCheck: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
  })
  .map(({ born, storeDelay, immunityMs, checks, lastCheck }) => ({
    bornTimestamp: T0 + born,
    storeTimestamp: T0 + born + storeDelay,
    immunityMs,
    checks: lastCheck === undefined ? 0 : Math.max(1, checks),
    lastCheckAt: lastCheck === undefined ? undefined : T0 + lastCheck,
  }));

describe('check policy: one message', () => {
  it('waits for the timeout from min(born, store time), or for the immunity the message sets', () => {
    const settings = {
      transactionTimeOutMs: 6000,
      transactionCheckMax: 15,
      transactionCheckIntervalMs: 60_000,
    };
    const view = {
      bornTimestamp: T0,
      storeTimestamp: T0 + 5,
      immunityMs: undefined,
      checks: 0,
      lastCheckAt: undefined,
    };
    expect(firstCheckAt(view, settings)).toBe(T0 + 6000);
    expect(checkVerdict(view, T0 + 5999, settings)).toEqual({ kind: 'wait', untilMs: T0 + 6000 });
    expect(checkVerdict(view, T0 + 6000, settings)).toEqual({ kind: 'check' });
    // A producer clock running ahead: the broker's store time caps the born time.
    expect(firstCheckAt({ ...view, bornTimestamp: T0 + 3_600_000 }, settings)).toBe(T0 + 5 + 6000);
    // CHECK_IMMUNITY_TIME_IN_SECONDS replaces transactionTimeOut (RocketMQ's rule), shorter or longer.
    expect(firstCheckAt({ ...view, immunityMs: 1000 }, settings)).toBe(T0 + 1000);
    expect(firstCheckAt({ ...view, immunityMs: 120_000 }, settings)).toBe(T0 + 120_000);
  });

  it('reads CHECK_IMMUNITY_TIME_IN_SECONDS as whole seconds, ignoring anything else', () => {
    expect([immunityMsOf('30'), immunityMsOf(' 5 '), immunityMsOf('0')]).toEqual([30_000, 5000, 0]);
    expect([immunityMsOf(undefined), immunityMsOf('-1'), immunityMsOf('1.5'), immunityMsOf('x')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('never acts before the first check is due, nor within an interval of the last check', () => {
    fc.assert(
      fc.property(viewArb, settingsArb, fc.integer({ min: -100_000, max: 800_000 }), (view, settings, at) => {
        const now = T0 + at;
        const verdict = checkVerdict(view, now, settings);
        const tooEarly =
          now < firstCheckAt(view, settings) ||
          (view.lastCheckAt !== undefined && now < view.lastCheckAt + settings.transactionCheckIntervalMs);
        expect(verdict.kind === 'wait').toBe(tooEarly);
      }),
    );
  });

  it('parks exactly when a check is due and transactionCheckMax checks were sent', () => {
    fc.assert(
      fc.property(viewArb, settingsArb, fc.integer({ min: 0, max: 800_000 }), (view, settings, at) => {
        const verdict = checkVerdict(view, T0 + at, settings);
        if (verdict.kind === 'wait') return;
        expect(verdict.kind).toBe(view.checks >= settings.transactionCheckMax ? 'park' : 'check');
      }),
    );
  });
});

describe('check policy: one round', () => {
  const candidatesArb = fc.array(fc.record({ view: viewArb, group: fc.constantFrom('g0', 'g1', 'g2', '') }), {
    maxLength: 40,
  });

  it('splits the due messages into checks, parks, no-producer and deferred, within the cap, most overdue first', () => {
    fc.assert(
      fc.property(
        candidatesArb,
        settingsArb,
        fc.integer({ min: 0, max: 800_000 }),
        fc.subarray(['g0', 'g1', 'g2']),
        fc.integer({ min: 0, max: 12 }),
        (raw, settings, at, liveGroups, cap) => {
          const now = T0 + at;
          const candidates: Array<RoundCandidate<number>> = raw.map((c, key) => ({
            key,
            producerGroup: c.group,
            view: c.view,
          }));
          const live = new Set(liveGroups);
          const plan = planCheckRound(candidates, now, settings, (group) => live.has(group), cap);
          const all = [...plan.checks, ...plan.parks, ...plan.noProducer, ...plan.deferred];
          expect(new Set(all).size).toBe(all.length);
          const due = candidates.filter((c) => checkVerdict(c.view, now, settings).kind !== 'wait');
          expect(all.sort((a, b) => a - b)).toEqual(due.map((c) => c.key));
          expect(plan.waiting).toBe(candidates.length - due.length);
          expect(plan.checks.length + plan.parks.length).toBeLessThanOrEqual(cap);
          for (const key of plan.checks) {
            expect(live.has(candidates[key]!.producerGroup)).toBe(true);
            expect(checkVerdict(candidates[key]!.view, now, settings).kind).toBe('check');
          }
          for (const key of plan.noProducer) expect(live.has(candidates[key]!.producerGroup)).toBe(false);
          for (const key of plan.parks) {
            const c = candidates[key]!;
            expect(c.producerGroup === '' || c.view.checks >= settings.transactionCheckMax).toBe(true);
          }
          if (plan.deferred.length > 0) expect(plan.checks.length + plan.parks.length).toBe(cap);
          // Fairness: nothing deferred was due before anything taken.
          const dueAt = (key: number) => {
            const view = candidates[key]!.view;
            return Math.max(
              firstCheckAt(view, settings),
              view.lastCheckAt === undefined ? 0 : view.lastCheckAt + settings.transactionCheckIntervalMs,
            );
          };
          const latestTaken = Math.max(-Infinity, ...[...plan.checks, ...plan.parks].map(dueAt));
          for (const key of plan.deferred) expect(dueAt(key)).toBeGreaterThanOrEqual(latestTaken);
        },
      ),
    );
  });
});

/**
 * The policy driven over time as the check service drives it: a round every interval on a fake
 * clock, producers of each group coming and going, half messages resolved at random times.
 */
describe('check policy over time (fake clock)', () => {
  interface Half {
    readonly view: { bornTimestamp: number; storeTimestamp: number; immunityMs: number | undefined };
    readonly group: string;
    readonly resolvedAt: number | undefined;
    checks: number[];
    parkedAt: number | undefined;
  }

  const scenarioArb = fc.record({
    settings: settingsArb,
    halves: fc.array(
      fc.record({
        born: fc.integer({ min: 0, max: 200_000 }),
        immunityMs: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: undefined }),
        group: fc.constantFrom('g0', 'g1', 'g2'),
        resolveAfter: fc.option(fc.integer({ min: 0, max: 900_000 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
    // Per group: whether a producer is live at the start, and the times it flips.
    liveness: fc.array(
      fc.record({
        initially: fc.boolean(),
        flips: fc.array(fc.integer({ min: 0, max: 1_500_000 }), { maxLength: 6 }),
      }),
      { minLength: 3, maxLength: 3 },
    ),
    cap: fc.integer({ min: 1, max: 30 }),
  });

  type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

  function simulate(scenario: Scenario) {
    const { settings, cap } = scenario;
    const clock = new FakeClock(T0);
    const isLive = (group: string, at: number) => {
      const { initially, flips } = scenario.liveness[Number(group.slice(1))]!;
      return flips.filter((flip) => T0 + flip <= at).length % 2 === 0 ? initially : !initially;
    };
    const halves: Half[] = scenario.halves.map((h) => ({
      view: { bornTimestamp: T0 + h.born, storeTimestamp: T0 + h.born, immunityMs: h.immunityMs },
      group: h.group,
      resolvedAt: h.resolveAfter === undefined ? undefined : T0 + h.born + h.resolveAfter,
      checks: [],
      parkedAt: undefined,
    }));
    const actionsPerRound: number[] = [];
    clock.setInterval(() => {
      const now = clock.now();
      const open = halves
        .map((half, key) => ({ half, key }))
        .filter(
          ({ half }) =>
            half.view.bornTimestamp <= now &&
            half.parkedAt === undefined &&
            (half.resolvedAt === undefined || half.resolvedAt > now),
        );
      const plan = planCheckRound(
        open.map(({ half, key }) => ({
          key,
          producerGroup: half.group,
          view: { ...half.view, checks: half.checks.length, lastCheckAt: half.checks.at(-1) },
        })),
        now,
        settings,
        (group) => isLive(group, now),
        cap,
      );
      for (const key of plan.checks) halves[key]!.checks.push(now);
      for (const key of plan.parks) halves[key]!.parkedAt = now;
      actionsPerRound.push(plan.checks.length + plan.parks.length);
    }, settings.transactionCheckIntervalMs);
    const horizonMs =
      200_000 + 90_000 + 20_000 + (settings.transactionCheckMax + 3) * settings.transactionCheckIntervalMs;
    clock.advance(horizonMs);
    return { halves, actionsPerRound, isLive, end: T0 + horizonMs };
  }

  it('checks only due, open messages of live groups, at most transactionCheckMax times, an interval apart, then parks', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { settings, cap } = scenario;
        const { halves, actionsPerRound, isLive } = simulate(scenario);
        for (const count of actionsPerRound) expect(count).toBeLessThanOrEqual(cap);
        for (const half of halves) {
          const first = firstCheckAt({ ...half.view, checks: 0, lastCheckAt: undefined }, settings);
          expect(half.checks.length).toBeLessThanOrEqual(settings.transactionCheckMax);
          half.checks.forEach((at, i) => {
            expect(at).toBeGreaterThanOrEqual(first);
            expect(isLive(half.group, at)).toBe(true);
            if (half.resolvedAt !== undefined) expect(at).toBeLessThan(half.resolvedAt);
            if (i > 0)
              expect(at - half.checks[i - 1]!).toBeGreaterThanOrEqual(settings.transactionCheckIntervalMs);
          });
          if (half.parkedAt !== undefined) {
            // Parked only after transactionCheckMax checks that were really sent, and an interval
            // after the last of them.
            expect(half.checks).toHaveLength(settings.transactionCheckMax);
            expect(half.parkedAt - half.checks.at(-1)!).toBeGreaterThanOrEqual(
              settings.transactionCheckIntervalMs,
            );
            if (half.resolvedAt !== undefined) expect(half.parkedAt).toBeLessThan(half.resolvedAt);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('with producers always live and room in every round, parks every unanswered message on time', () => {
    fc.assert(
      fc.property(
        scenarioArb.map((s) => ({
          ...s,
          cap: 1000,
          liveness: s.liveness.map(() => ({ initially: true, flips: [] })),
        })),
        (scenario) => {
          const { settings } = scenario;
          const { halves } = simulate(scenario);
          for (const half of halves) {
            if (half.resolvedAt !== undefined) continue;
            const first = firstCheckAt({ ...half.view, checks: 0, lastCheckAt: undefined }, settings);
            const interval = settings.transactionCheckIntervalMs;
            expect(half.checks).toHaveLength(settings.transactionCheckMax);
            // The first round at or after `first` checks; each following round checks again; the
            // round after the last check parks.
            expect(half.checks[0]! - first).toBeLessThan(interval);
            expect(half.parkedAt).toBe(half.checks[0]! + settings.transactionCheckMax * interval);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never checks nor parks the messages of a group that has no live producer', () => {
    fc.assert(
      fc.property(
        scenarioArb.map((s) => ({
          ...s,
          liveness: [{ initially: false, flips: [] }, ...s.liveness.slice(1)],
        })),
        (scenario) => {
          const { halves } = simulate(scenario);
          for (const half of halves.filter((h) => h.group === 'g0')) {
            expect(half.checks).toEqual([]);
            expect(half.parkedAt).toBeUndefined();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
