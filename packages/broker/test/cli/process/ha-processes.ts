// A master/slave broker group as real `keel broker` processes (and the raw requests the HA process
// tests make): properties for both, a load of sends that records every acknowledgement, and reads
// of a whole queue.

import { mkdtempSync } from 'node:fs';
import { sleep, systemClock } from '../../../src/common/clock';
import { join } from 'node:path';
import { decodeKVTable } from '../../../src/protocol/bodies/simple-bodies';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import type { DecodedStoredMessage } from '../../../src/protocol/message/stored-message-decoder';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { RemotingClient } from '../../../src/transport/remoting-client';
import { messagesOf, pull, send } from '../../server/integration/broker-requests';
import { prepareBroker, type BrokerSetup } from './keel-servers';

export interface HaGroupSetup {
  readonly master: BrokerSetup;
  readonly slave: BrokerSetup;
}

/** broker.properties for a master (`role`) and its slave, one group, each its own store. */
export async function prepareHaGroup(
  root: string,
  nameServerAddress: string,
  brokerName: string,
  role: 'SYNC_MASTER' | 'ASYNC_MASTER',
  options: {
    readonly extra?: Readonly<Record<string, string | number>>;
    /** Where the slave reaches the master's HA port (a proxy in front of it); default: the name server says. */
    readonly haMasterAddress?: (masterHaAddress: string) => Promise<string>;
  } = {},
): Promise<HaGroupSetup> {
  // 256 KiB segments: a few seconds of load crosses several, so replication crosses segment ends.
  const common = {
    brokerName,
    mappedFileSizeCommitLog: 256 * 1024,
    maxMessageSize: 64 * 1024,
    ...options.extra,
  };
  const master = await prepareBroker(mkdtempSync(join(root, 'master-')), nameServerAddress, {
    ...common,
    brokerId: 0,
    brokerRole: role,
  });
  const [host, port] = master.address.split(':') as [string, string];
  const haAddress = `${host}:${Number(port) + 1}`;
  const slave = await prepareBroker(mkdtempSync(join(root, 'slave-')), nameServerAddress, {
    ...common,
    brokerId: 1,
    brokerRole: 'SLAVE',
    ...(options.haMasterAddress === undefined
      ? {}
      : { haMasterAddress: await options.haMasterAddress(haAddress) }),
  });
  return { master, slave };
}

export interface Acknowledged {
  readonly body: string;
  readonly code: number;
  /** Commit-log offset of the record on the master, and the offset after it. */
  readonly offset: number;
  readonly end: number;
  readonly ackedAtMs: number;
}

/** Sends from `concurrency` loops until `stop()`; each answer with a message id is recorded. */
export class SendLoad {
  readonly acknowledged: Acknowledged[] = [];
  readonly failures: unknown[] = [];
  #stopped = false;
  #loops: Promise<void>[] = [];
  #sequence = 0;

  constructor(
    private readonly client: RemotingClient,
    private readonly address: string,
    private readonly topic: string,
    private readonly bodyPrefix: string,
  ) {}

  start(concurrency: number): void {
    this.#loops = Array.from({ length: concurrency }, () => this.#loop());
  }

  /** Stops sending and waits for the sends in flight to be answered or to fail. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  /** Acknowledged with SUCCESS (what a producer counts as replicated on a SYNC_MASTER). */
  get succeeded(): Acknowledged[] {
    return this.acknowledged.filter((ack) => ack.code === ResponseCode.SUCCESS);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const body = `${this.bodyPrefix}-${String(this.#sequence++).padStart(8, '0')}`;
      try {
        const response = await send(this.client, this.address, { topic: this.topic, body, queueId: 0 });
        if (response.code === ResponseCode.SUCCESS || isStoredAnyway(response.code)) {
          const { physicalOffset } = decodeOffsetMessageId(
            SendMessageResponseHeader.decode(response.extFields).msgId,
          );
          this.acknowledged.push({
            body,
            code: response.code,
            offset: physicalOffset,
            end: physicalOffset + recordSize(body, this.topic),
            ackedAtMs: systemClock.now(),
          });
        } else {
          this.failures.push(new Error(`code ${response.code}: ${response.remark ?? ''}`));
        }
      } catch (error) {
        // The broker was killed under the send: nothing was acknowledged.
        this.failures.push(error);
        await sleep(systemClock, 20);
      }
    }
  }
}

function isStoredAnyway(code: number): boolean {
  return (
    code === ResponseCode.FLUSH_DISK_TIMEOUT ||
    code === ResponseCode.FLUSH_SLAVE_TIMEOUT ||
    code === ResponseCode.SLAVE_NOT_AVAILABLE
  );
}

/**
 * Size of the stored record of a message sent by `send` (no tags, keys or properties but the
 * CLUSTER the broker adds with its default cluster name): 91 + body + topic + properties.
 */
function recordSize(body: string, topic: string): number {
  const properties = 'CLUSTER\u0001DefaultCluster';
  return 91 + Buffer.byteLength(body) + Buffer.byteLength(topic) + Buffer.byteLength(properties);
}

/**
 * Every message of a queue, read from `address` from offset 0 to its end (a slave serves reads
 * only while its master is unreachable: a refusal is retried for a while, anything else throws).
 */
export async function readQueue(
  client: RemotingClient,
  address: string,
  topic: string,
  queueId = 0,
): Promise<DecodedStoredMessage[]> {
  const messages: DecodedStoredMessage[] = [];
  let offset = 0;
  let refusals = 0;
  for (;;) {
    const response = await pull(client, address, {
      group: 'ha-e2e-reader',
      topic,
      queueId,
      offset,
      maxMsgNums: 32,
    });
    if (response.code === ResponseCode.PULL_NOT_FOUND) return messages;
    if (response.code === ResponseCode.PULL_RETRY_IMMEDIATELY && refusals++ < 100) {
      await sleep(systemClock, 50);
      continue;
    }
    if (response.code !== ResponseCode.SUCCESS) {
      throw new Error(
        `pull of ${topic}:${queueId} at ${offset} from ${address}: code ${response.code} ${response.remark ?? ''}`,
      );
    }
    messages.push(...messagesOf(response));
    offset = PullMessageResponseHeader.decode(response.extFields).nextBeginOffset;
  }
}

export async function runtimeInfo(
  client: RemotingClient,
  address: string,
): Promise<ReadonlyMap<string, string>> {
  const response = await client.invoke(
    address,
    createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 0 }),
    3000,
  );
  return decodeKVTable(response.body).table;
}
