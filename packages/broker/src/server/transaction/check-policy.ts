// When the check service asks a producer about a half message, and when it gives up (pure
// functions of the message's times and counters, the clock and the settings; no I/O).
//
//   first check   at start + threshold, where start = min(bornTimestamp, storeTimestamp) and
//                 threshold = CHECK_IMMUNITY_TIME_IN_SECONDS × 1000 when the message sets it
//                 (RocketMQ's rule: the property replaces transactionTimeOut), else
//                 transactionTimeOut. The store time caps the born time so a producer whose clock
//                 runs ahead cannot postpone its checks forever; a clock running behind only makes
//                 the first check earlier, as in RocketMQ.
//   later checks  one transactionCheckInterval after the previous check that was really sent.
//   park          when a check is due and transactionCheckMax checks have been sent already, so
//                 the last check gets a whole interval to be answered.
//
// A message without PGROUP names no producer to ask: it is parked once due.
//
// Attempts that send nothing (no live producer in the group, a failed write) are not counted: a
// message is parked only after transactionCheckMax checks that reached a producer (RocketMQ
// counted attempts, and discarded messages whose checks were never sent, #8311).
//
// A round checks at most `maxActions` messages (checks + parks), the longest-overdue first, so a
// backlog is worked off over several rounds with bounded traffic and no message starves.

export interface CheckSettings {
  readonly transactionTimeOutMs: number;
  readonly transactionCheckMax: number;
  readonly transactionCheckIntervalMs: number;
}

/** What the policy reads of one half message. */
export interface CheckView {
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  /** CHECK_IMMUNITY_TIME_IN_SECONDS in ms, when the message sets a valid value. */
  readonly immunityMs: number | undefined;
  /** Checks sent so far. */
  readonly checks: number;
  /** When the last check was sent; undefined before the first. */
  readonly lastCheckAt: number | undefined;
}

export type CheckVerdict =
  | { readonly kind: 'wait'; readonly untilMs: number }
  | { readonly kind: 'check' }
  | { readonly kind: 'park' };

export function firstCheckAt(view: CheckView, settings: CheckSettings): number {
  const start = Math.min(view.bornTimestamp, view.storeTimestamp);
  return start + (view.immunityMs ?? settings.transactionTimeOutMs);
}

/** When the message is next due: its first check, or one interval after its last. */
export function nextCheckAt(view: CheckView, settings: CheckSettings): number {
  const first = firstCheckAt(view, settings);
  if (view.lastCheckAt === undefined) return first;
  return Math.max(first, view.lastCheckAt + settings.transactionCheckIntervalMs);
}

export function checkVerdict(view: CheckView, nowMs: number, settings: CheckSettings): CheckVerdict {
  const due = nextCheckAt(view, settings);
  if (nowMs < due) return { kind: 'wait', untilMs: due };
  return view.checks >= settings.transactionCheckMax ? { kind: 'park' } : { kind: 'check' };
}

/** One unresolved half message as a round sees it. */
export interface RoundCandidate<K> {
  readonly key: K;
  readonly producerGroup: string;
  readonly view: CheckView;
}

export interface RoundPlan<K> {
  /** To check now, each with a live producer of its group, most overdue first. */
  readonly checks: readonly K[];
  /** To park now, most overdue first. */
  readonly parks: readonly K[];
  /** Due, but their group has no live producer: nothing is sent and nothing counted. */
  readonly noProducer: readonly K[];
  /** Due, left for a later round because the round reached `maxActions`. */
  readonly deferred: readonly K[];
  /** Not due yet. */
  readonly waiting: number;
}

/**
 * Which messages a round checks and parks. `hasLiveProducer` says whether a group has a producer
 * to ask now; a message of a group without one waits (uncounted) instead of taking a slot.
 */
export function planCheckRound<K>(
  candidates: Iterable<RoundCandidate<K>>,
  nowMs: number,
  settings: CheckSettings,
  hasLiveProducer: (group: string) => boolean,
  maxActions: number,
): RoundPlan<K> {
  const due: Array<{ candidate: RoundCandidate<K>; dueAt: number; park: boolean; order: number }> = [];
  let waiting = 0;
  let order = 0;
  for (const candidate of candidates) {
    const verdict = checkVerdict(candidate.view, nowMs, settings);
    if (verdict.kind === 'wait') waiting++;
    else
      due.push({
        candidate,
        dueAt: nextCheckAt(candidate.view, settings),
        park: verdict.kind === 'park',
        order: order++,
      });
  }
  // Most overdue first; among equals the order given (the half queue's), so plans are deterministic.
  due.sort((a, b) => a.dueAt - b.dueAt || a.order - b.order);
  const checks: K[] = [];
  const parks: K[] = [];
  const noProducer: K[] = [];
  const deferred: K[] = [];
  const liveByGroup = new Map<string, boolean>();
  const isLive = (group: string): boolean => {
    let live = liveByGroup.get(group);
    if (live === undefined) {
      live = hasLiveProducer(group);
      liveByGroup.set(group, live);
    }
    return live;
  };
  for (const { candidate, park: overChecked } of due) {
    const park = overChecked || candidate.producerGroup === '';
    if (!park && !isLive(candidate.producerGroup)) noProducer.push(candidate.key);
    else if (checks.length + parks.length >= maxActions) deferred.push(candidate.key);
    else if (park) parks.push(candidate.key);
    else checks.push(candidate.key);
  }
  return { checks, parks, noProducer, deferred, waiting };
}

/**
 * CHECK_IMMUNITY_TIME_IN_SECONDS in ms; undefined when absent or not a whole number of seconds
 * (RocketMQ then falls back to transactionTimeOut too).
 */
export function immunityMsOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const seconds = Number(text);
  return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
}
