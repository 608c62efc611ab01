// The report printed at the end of a run: what was ordered and how it ended, how fast, which faults
// were injected and what the services did about them, and whether every invariant held.

import type { StatusCounts } from '../order/order-queries';
import type { Verdict } from './invariants';
import { formatMs, type LatencySummary } from './latency';

export interface FaultRecord {
  /** Requests answered when the fault was injected. */
  readonly atRequest: number;
  readonly name: string;
  /** What happened, e.g. "down 1.2 s; 3 transactions settled by check-back". */
  readonly detail: string;
}

/** Counts from the runtimes' delivery events, by consumer group. */
export interface DeliveryCounts {
  readonly handled: number;
  /** Redeliveries the inbox recognised and acknowledged without running the handler. */
  readonly duplicates: number;
  /** Handler failures that were retried. */
  readonly retried: number;
  readonly deadLettered: number;
}

export interface RunReport {
  readonly title: string;
  readonly requests: number;
  readonly statuses: StatusCounts;
  readonly refusals: ReadonlyMap<string, number>;
  readonly unanswered: readonly string[];
  /** From the first request to the last answer. */
  readonly requestsMs: number;
  /** From the first request until every order was PAID or CANCELLED (or the wait gave up). */
  readonly settledMs: number;
  readonly latency: LatencySummary | undefined;
  readonly clientRetries: number;
  readonly faults: readonly FaultRecord[];
  /** Check-backs the broker sent for half messages left open, answered from the barrier rows. */
  readonly checkBacks: { readonly order: number; readonly payment: number };
  readonly deliveries: ReadonlyMap<string, DeliveryCounts>;
  readonly verdicts: readonly Verdict[];
}

export function allHold(verdicts: readonly Verdict[]): boolean {
  return verdicts.every((verdict) => verdict.holds);
}

export function formatReport(report: RunReport): string {
  const { statuses } = report;
  const placed = statuses.PAID + statuses.CANCELLED + statuses.PENDING_PAYMENT;
  const refused = [...report.refusals.values()].reduce((total, count) => total + count, 0);
  const lines: string[] = ['', `── ${report.title} ──`, ''];

  lines.push(
    `Orders      ${report.requests} requests → ${placed} orders: ${statuses.PAID} PAID, ` +
      `${statuses.CANCELLED} CANCELLED, ${statuses.PENDING_PAYMENT} PENDING_PAYMENT`,
  );
  if (refused > 0) {
    const byCode = [...report.refusals].map(([code, count]) => `${count} ${code}`).join(', ');
    lines.push(`            ${refused} refused: ${byCode}`);
  }
  if (report.unanswered.length > 0) lines.push(`            ${report.unanswered.length} got no answer`);
  const seconds = Math.max(report.settledMs, 1) / 1_000;
  lines.push(
    `Throughput  ${(placed / seconds).toFixed(1)} orders/s to a final status ` +
      `(requests answered in ${formatMs(report.requestsMs)}, all orders final after ${formatMs(report.settledMs)})`,
  );
  if (report.latency !== undefined) {
    const { p50Ms, p99Ms, maxMs, count } = report.latency;
    lines.push(
      `Latency     order placed → PAID/CANCELLED: p50 ${formatMs(p50Ms)}, p99 ${formatMs(p99Ms)}, ` +
        `max ${formatMs(maxMs)} (${count} orders)`,
    );
  }

  lines.push('', 'Faults');
  if (report.faults.length === 0) lines.push('  none (--faults off)');
  for (const fault of report.faults)
    lines.push(`  at request ${fault.atRequest}: ${fault.name} — ${fault.detail}`);
  const { order, payment } = report.checkBacks;
  if (order + payment > 0) {
    lines.push(
      `  the broker checked back ${order + payment} open transactions (order service ${order}, ` +
        `payment service ${payment}); each was answered from its barrier row`,
    );
  }
  if (report.clientRetries > 0) {
    lines.push(
      `  the client got ${report.clientRetries} 503s or broken connections and retried with the same key`,
    );
  }

  // The runtimes' `delivered` events can be listened to only once start() has returned, so the
  // deliveries a restarted service makes while it starts (its backlog) are missing from these.
  lines.push('', 'Deliveries by consumer group (from runtime events; not those made while a runtime starts)');
  for (const [group, counts] of report.deliveries) {
    lines.push(
      `  ${group.padEnd(16)} ${counts.handled} handled, ${counts.duplicates} duplicates skipped by the inbox, ` +
        `${counts.retried} failures retried, ${counts.deadLettered} dead-lettered`,
    );
  }

  lines.push('', 'Invariants');
  for (const verdict of report.verdicts) {
    lines.push(`  ${verdict.holds ? '✔' : '✘'} ${verdict.name}`, `      ${verdict.detail}`);
  }
  const failed = report.verdicts.filter((verdict) => !verdict.holds).length;
  lines.push(
    '',
    failed === 0
      ? `All ${report.verdicts.length} invariants hold.`
      : `${failed} of ${report.verdicts.length} invariants FAILED.`,
    '',
  );
  return lines.join('\n');
}
