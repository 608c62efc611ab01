// A slave's copy of its master's metadata (RocketMQ's SlaveSynchronize.syncAll, facts §7.2): at
// start and every 10 s, GET_ALL_TOPIC_CONFIG, GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET and
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG from the master's remoting address. Topics and groups are
// replaced when the master's DataVersion differs; delay offsets always (they are the master's
// delivery progress); consumer offsets by the take-over rule of offset-takeover.ts, which also sends
// the master the offsets consumers committed here while it was away.
//
// A failed step is logged once per streak and retried at the next period; the others still run.

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { UpdateConsumerOffsetRequestHeader } from '../../protocol/headers/offset-headers';
import { createRequest, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { RequestCode } from '../../protocol/remoting/request-code';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { decodeConsumerOffsetWrapper } from '../../store/metadata/consumer-offset-file';
import { sameDataVersion } from '../../store/metadata/data-version';
import { decodeDelayOffsetTable } from '../../store/metadata/delay-offset-file';
import { decodeSubscriptionGroupWrapper } from '../../store/metadata/subscription-group-file';
import { decodeTopicConfigWrapper } from '../../store/metadata/topic-config-file';
import type { RemotingClient } from '../../transport/remoting-client';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import type { ScheduleMessageService } from '../schedule/schedule-message-service';
import type { SubscriptionGroupManager } from '../subscription/subscription-group-manager';
import type { TopicConfigManager } from '../topic/topic-config-manager';
import { HaError, HaErrorCodes } from './ha-errors';
import { takeOverOffsets, type OffsetCommit, type OwnedOffsets } from './offset-takeover';

/** RocketMQ's period (BrokerController: every 10 s). */
export const SLAVE_SYNC_INTERVAL_MS = 10_000;
const REQUEST_TIMEOUT_MS = 3000;
/** After a failed round or with no master known (a slave not registered yet). */
const RETRY_MS = 1000;

export interface SlaveSynchronizerOptions {
  readonly client: RemotingClient;
  readonly clock: Clock;
  readonly log: Logger;
  /** The master's remoting address now, or undefined while unknown. */
  readonly masterAddress: () => string | undefined;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly schedule: ScheduleMessageService;
  readonly intervalMs?: number;
}

export interface SlaveSyncStatus {
  /** When every step last succeeded; undefined before the first full sync. */
  readonly lastSyncMs: number | undefined;
  readonly lastProblem: string | undefined;
  /** Offsets committed here and sent to the master so far. */
  readonly offsetsHandedBack: number;
}

type Step = 'topics' | 'consumer offsets' | 'delay offsets' | 'subscription groups';

export class SlaveSynchronizer {
  readonly #options: SlaveSynchronizerOptions;
  #timer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #lastSynced: OwnedOffsets[];
  #lastSyncMs: number | undefined;
  #lastProblem: string | undefined;
  readonly #failing = new Set<Step>();
  #handedBack = 0;
  #closed = false;

  constructor(options: SlaveSynchronizerOptions) {
    this.#options = options;
    // What the slave loaded from its own file counts as synced: after a restart it cannot tell its
    // own commits from copies of the master's, and handing stale copies back would undo a reset
    // made on the master meanwhile. The cost: commits made here while the master was away and not
    // yet handed back before a restart are replayed by consumers (at least once), never skipped.
    this.#lastSynced = options.offsets.snapshot().map(({ topic, group, offsets }) => ({
      topic,
      group,
      offsets: new Map(offsets),
    }));
  }

  start(): void {
    void this.syncAll();
    this.#timer = this.#options.clock.setInterval(
      () => void this.syncAll(),
      this.#options.intervalMs ?? SLAVE_SYNC_INTERVAL_MS,
    );
  }

  status(): SlaveSyncStatus {
    return {
      lastSyncMs: this.#lastSyncMs,
      lastProblem: this.#lastProblem,
      offsetsHandedBack: this.#handedBack,
    };
  }

  /** One round of the four steps; a round still running is joined, not doubled. */
  syncAll(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#options.clock.clearInterval(this.#timer);
    if (this.#retryTimer !== undefined) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#timer = undefined;
    this.#retryTimer = undefined;
    await this.#running;
  }

  async #round(): Promise<void> {
    if (this.#closed) return;
    const master = this.#options.masterAddress();
    if (master === undefined) {
      this.#lastProblem = "the master's address is not known yet";
      this.#retrySoon();
      return;
    }
    const steps: Array<[Step, (master: string) => Promise<void>]> = [
      ['topics', (m) => this.#syncTopics(m)],
      ['consumer offsets', (m) => this.#syncConsumerOffsets(m)],
      ['delay offsets', (m) => this.#syncDelayOffsets(m)],
      ['subscription groups', (m) => this.#syncGroups(m)],
    ];
    let ok = true;
    for (const [step, run] of steps) {
      if (this.#closed) return;
      try {
        await run(master);
        if (this.#failing.delete(step))
          this.#options.log.info('metadata sync from the master works again', { step });
      } catch (error) {
        ok = false;
        this.#lastProblem = `${step}: ${error instanceof Error ? error.message : String(error)}`;
        if (!this.#failing.has(step)) {
          this.#failing.add(step);
          this.#options.log.warn('metadata sync from the master failed; retrying every period', {
            step,
            master,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      }
    }
    if (ok) {
      this.#lastSyncMs = this.#options.clock.now();
      this.#lastProblem = undefined;
    } else {
      // A master restarting, or an address guessed before the first registration: try again in a
      // second rather than a whole period; the cost is a refused connection per second.
      this.#retrySoon();
    }
  }

  #retrySoon(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.syncAll();
    }, RETRY_MS);
  }

  async #syncTopics(master: string): Promise<void> {
    const { topics, clock } = this.#options;
    const body = await this.#fetch(master, RequestCode.GET_ALL_TOPIC_CONFIG);
    const received = decodeTopicConfigWrapper(body, clock.now());
    if (received.dataVersion === undefined || sameDataVersion(received.dataVersion, topics.dataVersion))
      return;
    await topics.replaceAll(received.topics, received.dataVersion);
  }

  async #syncGroups(master: string): Promise<void> {
    const { groups, clock } = this.#options;
    const body = await this.#fetch(master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
    const received = decodeSubscriptionGroupWrapper(body, clock.now());
    if (received.dataVersion === undefined || sameDataVersion(received.dataVersion, groups.dataVersion))
      return;
    await groups.replaceAll(received.groups, received.dataVersion);
  }

  async #syncDelayOffsets(master: string): Promise<void> {
    const body = await this.#fetch(master, RequestCode.GET_ALL_DELAY_OFFSET);
    await this.#options.schedule.replaceOffsets(decodeDelayOffsetTable(body));
  }

  async #syncConsumerOffsets(master: string): Promise<void> {
    const { offsets, log } = this.#options;
    const body = await this.#fetch(master, RequestCode.GET_ALL_CONSUMER_OFFSET);
    // Snapshot and replace with no await between them: a commit arriving meanwhile is not lost.
    const takeover = takeOverOffsets({
      local: offsets.snapshot(),
      lastSynced: this.#lastSynced,
      master: decodeConsumerOffsetWrapper(body),
    });
    offsets.replaceAll(takeover.adopted);
    this.#lastSynced = takeover.adopted;
    let failure: unknown;
    for (const commit of takeover.toMaster) {
      try {
        await this.#handBack(master, commit);
        this.#handedBack++;
      } catch (error) {
        // Still "committed here" at the next round, so it is offered to the master again.
        this.#lastSynced
          .find((e) => e.topic === commit.topic && e.group === commit.group)
          ?.offsets.delete(commit.queueId);
        failure ??= error;
      }
    }
    if (takeover.toMaster.length > 0) {
      log.info('offsets committed on this slave while the master was away were handed to the master', {
        count: takeover.toMaster.length,
        failed: failure === undefined ? 0 : 'some (retried next period)',
      });
    }
    if (failure !== undefined) throw failure;
  }

  async #handBack(master: string, commit: OffsetCommit): Promise<void> {
    const extFields = UpdateConsumerOffsetRequestHeader.encode({
      consumerGroup: commit.group,
      topic: commit.topic,
      queueId: commit.queueId,
      commitOffset: commit.offset,
      bname: undefined,
    });
    const response = await this.#options.client.invoke(
      master,
      createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, opaque: 0, extFields }),
      REQUEST_TIMEOUT_MS,
    );
    expectSuccess(response, 'UPDATE_CONSUMER_OFFSET');
  }

  async #fetch(master: string, code: number): Promise<string> {
    const response = await this.#options.client.invoke(
      master,
      createRequest({ code, opaque: 0 }),
      REQUEST_TIMEOUT_MS,
    );
    expectSuccess(response, `request ${code}`);
    return response.body.toString('utf8');
  }
}

function expectSuccess(response: RemotingCommand, what: string): void {
  if (response.code !== ResponseCode.SUCCESS) {
    throw new HaError(
      HaErrorCodes.SYNC_FAILED,
      `${what}: the master answered code ${response.code} (${response.remark ?? 'no remark'})`,
    );
  }
}
