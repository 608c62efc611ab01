// One scenario run: start the system on fresh databases seeded from the plan, send the planned
// requests while the fault schedule breaks things, wait until every order is PAID or CANCELLED
// (and every paid order shipped), then read both databases and check the invariants.
//
// The run ends by itself, whatever breaks: a fault that fails stops the requests at once, a
// request with no answer in `requestGiveUpMs` stops the others, the settle wait has its timeout,
// and an aborted `signal` ends every wait. Whenever runScenario rejects, it has stopped the system.

import type { Clock, Logger } from '@keel/broker';
import { noFaults } from '../fault-points';
import type { DatabaseTarget } from '../infra/databases';
import { ExampleSystem } from '../infra/example-system';
import { OrderQueries, type StatusCounts } from '../order/order-queries';
import { sleepUnlessAborted, throwIfAborted } from './abortable-sleep';
import { ChargeFaults } from './charge-faults';
import { FaultSchedule, SCENARIO_FAULTS, type ScheduledFault } from './fault-schedule';
import { checkInvariants, type Verdict } from './invariants';
import { summarizeLatencies } from './latency';
import { OrderClient } from './order-client';
import { ProgressPrinter, type Output } from './progress';
import type { FaultRecord, RunReport } from './report';
import { runRequests, type RequestsResult } from './run-requests';
import { planScenario, type ScenarioPlan } from './scenario-plan';
import { seedOrderDatabase, seedPaymentDatabase } from './seed';
import { readSnapshot } from './snapshot';

export interface ScenarioRunOptions {
  readonly orders: number;
  readonly users: number;
  readonly seed: number;
  readonly faults: boolean;
  readonly concurrency: number;
  readonly settleTimeoutMs: number;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly out: Output;
  /** Overrides the fault schedule (tests); default SCENARIO_FAULTS when faults are on. */
  readonly schedule?: readonly ScheduledFault[];
  /** A request retried this long without an answer is given up on; default 60 s. */
  readonly requestGiveUpMs?: number;
  /** Aborting it stops the run: waits end, the system is stopped, runScenario rejects with the reason. */
  readonly signal?: AbortSignal;
}

export interface ScenarioResult {
  readonly report: RunReport;
  /** Still running: the caller serves the API or stops it. */
  readonly system: ExampleSystem;
}

// One payment in this many fails before its commit on the first try (faults on).
const CHARGE_FAULT_EVERY = 25;
const PROGRESS_INTERVAL_MS = 1_000;
// A request retried for this long without an answer is reported as unanswered. The faults keep
// the API down for a few seconds at most; a minute means it is not coming back.
const DEFAULT_REQUEST_GIVE_UP_MS = 60_000;

export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioResult> {
  const { clock } = options;
  const plan = planScenario({
    orders: options.orders,
    users: options.users,
    seed: options.seed,
    clientFaults: options.faults,
  });
  const chargeFaults = options.faults ? new ChargeFaults(CHARGE_FAULT_EVERY) : undefined;
  const system = await ExampleSystem.start({
    dataDir: options.dataDir,
    database: options.database,
    clock,
    logger: options.logger,
    faults: chargeFaults ?? noFaults,
    port: options.port,
    prepare: async (orderDb, paymentDb) => {
      await seedOrderDatabase(orderDb, plan);
      await seedPaymentDatabase(paymentDb, plan);
    },
  });
  try {
    const driven = await drive(options, plan, system);
    throwIfAborted(options.signal);
    return { report: await assembleReport(options, plan, system, driven, chargeFaults), system };
  } catch (error: unknown) {
    // The run's error is what the caller needs; a failure to stop as well is logged, not lost.
    await system.stop().catch((stopError: unknown) =>
      options.logger.error('stopping the example after a failed run failed', {
        error: asLogValue(stopError),
        runError: asLogValue(error),
      }),
    );
    throw error;
  }
}

/** What driving the requests came to, before the databases are read. */
interface Driven {
  readonly requests: RequestsResult;
  readonly answered: number;
  readonly requestsMs: number;
  readonly settledMs: number;
  readonly statuses: StatusCounts;
  readonly clientRetries: number;
  readonly faults: readonly FaultRecord[];
}

async function drive(
  options: ScenarioRunOptions,
  plan: ScenarioPlan,
  system: ExampleSystem,
): Promise<Driven> {
  const { clock } = options;
  const total = plan.requests.length;
  const progress = new ProgressPrinter(options.out);
  const queries = new OrderQueries(system.orderDb);
  const client = new OrderClient({
    baseUrl: system.apiUrl,
    clock,
    giveUpAfterMs: options.requestGiveUpMs ?? DEFAULT_REQUEST_GIVE_UP_MS,
  });
  // A failed fault stops the requests at once: after it the system is not what the scenario
  // assumes (a service that did not come back answers 503 to everything until each request gives up).
  const faultFailed = new AbortController();
  const stop =
    options.signal === undefined ? faultFailed.signal : AbortSignal.any([options.signal, faultFailed.signal]);
  const schedule = new FaultSchedule(
    options.faults ? (options.schedule ?? SCENARIO_FAULTS) : [],
    system,
    total,
    (text) => progress.note(text),
    (error) => faultFailed.abort(error),
  );
  progress.note(
    `Placing ${total} orders from ${options.users} users (faults ${options.faults ? 'on' : 'off'}); ` +
      `API at ${system.apiUrl}`,
  );

  const started = clock.now();
  let answered = 0;
  const ticker = clock.setInterval(() => {
    queries.statusCounts().then(
      (statuses) => progress.show({ answered, total, statuses, elapsedMs: clock.now() - started }),
      (error: unknown) => options.logger.warn('progress query failed', { error: asLogValue(error) }),
    );
  }, PROGRESS_INTERVAL_MS);
  try {
    const requests = await runRequests(
      plan.requests,
      client,
      options.concurrency,
      (count) => {
        answered = count;
        schedule.onAnswered(count);
      },
      stop,
    );
    const requestsMs = clock.now() - started;
    await schedule.finished();
    const statuses = await waitUntilSettled(system, queries, clock, options.settleTimeoutMs, options.signal);
    const settledMs = clock.now() - started;
    progress.show({ answered, total, statuses, elapsedMs: settledMs });
    return {
      requests,
      answered,
      requestsMs,
      settledMs,
      statuses,
      clientRetries: client.retriedAnswers,
      faults: schedule.records,
    };
  } finally {
    clock.clearInterval(ticker);
    progress.finish();
  }
}

/** Reads both databases, checks the invariants and puts the report together. */
async function assembleReport(
  options: ScenarioRunOptions,
  plan: ScenarioPlan,
  system: ExampleSystem,
  driven: Driven,
  chargeFaults: ChargeFaults | undefined,
): Promise<RunReport> {
  const snapshot = await readSnapshot(system.orderDb, system.paymentDb);
  const latencies = snapshot.orders.flatMap((order) =>
    order.completedAtMs === null ? [] : [order.completedAtMs - order.createdAtMs],
  );
  const faults = [...driven.faults];
  if (chargeFaults !== undefined && chargeFaults.injected > 0) {
    faults.push({
      atRequest: driven.answered,
      name: 'payments failing before their commit',
      detail: `${chargeFaults.injected} charges rolled back (debit, credit and payment together) and retried`,
    });
  }
  return {
    title: `Keel order-service example: ${plan.requests.length} orders, ${options.users} users, seed ${plan.seed}`,
    requests: plan.requests.length,
    statuses: driven.statuses,
    refusals: driven.requests.refusals,
    unanswered: driven.requests.observations.unanswered,
    requestsMs: driven.requestsMs,
    settledMs: driven.settledMs,
    latency: summarizeLatencies(latencies),
    clientRetries: driven.clientRetries,
    faults,
    checkBacks: system.checkBacksAnswered,
    deliveries: system.deliveries.snapshot(),
    verdicts: [
      ...checkInvariants(plan, snapshot, driven.requests.observations),
      noTransactionOpen(await system.openTransactions()),
    ],
  };
}

/**
 * Waits until no order is pending, every paid order has its shipment (shipping is one hop behind)
 * and the broker holds no transaction open (a cancelled order's status event may still wait for a
 * check-back), or the timeout passes; returns the last counts either way (the invariants then say
 * what is missing).
 */
async function waitUntilSettled(
  system: ExampleSystem,
  queries: OrderQueries,
  clock: Clock,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<StatusCounts> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal);
    const statuses = await queries.statusCounts();
    const [{ shipped }] = await system.orderDb.query<[{ shipped: number }]>(
      'SELECT count(*)::int AS shipped FROM shipments',
    );
    const settled =
      statuses.PENDING_PAYMENT === 0 && shipped >= statuses.PAID && (await system.openTransactions()) === 0;
    if (settled || clock.now() >= deadline) return statuses;
    await sleepUnlessAborted(clock, 100, signal);
  }
}

function noTransactionOpen(open: number): Verdict {
  return {
    name: 'no transaction left open on the broker',
    holds: open === 0,
    detail: open === 0 ? 'every half message committed or rolled back' : `${open} half messages still open`,
  };
}

function asLogValue(error: unknown): Error | string {
  return error instanceof Error ? error : String(error);
}
