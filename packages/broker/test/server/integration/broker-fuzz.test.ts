// Fuzz against one live broker (name server + broker on loopback, real disk): over 10,000 random,
// truncated, oversized and wrongly typed frames and headers on raw TCP sockets, while a
// well-behaved client on its own connection keeps sending and pulling. The broker must not crash,
// hang or leak an unhandled rejection, must answer every well-framed request, must serve the
// well-behaved client throughout, and must keep everything it acknowledged, across a restart.
// Inputs come from broker-fuzz-inputs.ts with a fixed seed, so a failure reproduces.

import { connect, type Socket } from 'node:net';

import fc from 'fast-check';

import { CreateTopicRequestHeader } from '../../../src/protocol/headers/admin-headers';
import { UpdateConsumerOffsetRequestHeader } from '../../../src/protocol/headers/offset-headers';
import { PullMessageRequestHeader, PullSysFlag } from '../../../src/protocol/headers/pull-headers';
import {
  QueryMessageRequestHeader,
  ViewMessageRequestHeader,
} from '../../../src/protocol/headers/query-headers';
import { encodeSendMessageHeaderV2 } from '../../../src/protocol/headers/send-headers';
import { encodeFrame } from '../../../src/protocol/remoting/frame-encoder';
import { FrameDecoder } from '../../../src/protocol/remoting/frame-decoder';
import { encodeRocketMqHeader } from '../../../src/protocol/remoting/rocketmq-header';
import {
  createRequest,
  isOneway,
  isResponse,
  type RemotingCommand,
} from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { systemClock } from '../../../src/common/clock';
import { RemotingClient } from '../../../src/transport/remoting-client';
import type { Broker } from '../../../src/server/broker';
import { waitFor } from '../../../src/testing/await-event';
import { messagesOf, pull, send } from './broker-requests';
import { startCluster, type TestCluster } from './cluster-fixture';
import {
  FUZZ_SEED,
  inputsOf,
  mustBeAnswered,
  rawFrame,
  socketPlanArb,
  type FuzzNames,
  type SocketPlan,
} from './broker-fuzz-inputs';

const GOOD_TOPIC = 'FuzzWellBehavedTopic';
const GOOD_GROUP = 'fuzz-well-behaved-cg';
/** The topic of the explicit cases; created before them, so that range checks are reached. */
const EXPLICIT_TOPIC = 'FuzzExplicit';
/** The fuzz's names; none is the well-behaved client's, so the fuzz cannot reconfigure its topic. */
const NAMES: FuzzNames = {
  topics: ['FuzzT0', 'FuzzT1', 'FuzzT2', 'TBW102', '%RETRY%fuzz-cg0', 'SCHEDULE_TOPIC_XXXX'],
  groups: ['fuzz-cg0', 'fuzz-cg1', 'fuzz-pg', 'TOOLS_CONSUMER'],
};
const TARGET_INPUTS = 10_000;
const PARALLEL_SOCKETS = 8;
/** Far above what any answer takes on loopback: reaching it means the broker hangs. */
const SOCKET_DEADLINE_MS = 10_000;
/**
 * Messages of JavaScript's built-in errors (and of the clock's timer-range check): a SYSTEM_ERROR
 * remark with one of these means hostile input reached code that does not check it.
 */
const UNTYPED_ERROR_REMARK =
  /Cannot read prop|Cannot convert|is not a function|is not iterable|is not defined|Maximum call stack|Invalid (array|string) length|out of range|Unexpected token|timer delay must be/;
/** Batch opaques start here, so that opaques the tails carry (0, small numbers) never collide. */
const OPAQUE_BASE = 1_000_000;

/** A raw TCP connection that decodes whatever the broker answers. */
class RawSession {
  readonly responses: RemotingCommand[] = [];
  readonly errors: string[] = [];
  #closed = false;
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #listeners = new Set<() => void>();

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const { commands, error } = this.#decoder.push(chunk);
      this.responses.push(...commands);
      if (error !== undefined) this.errors.push(`broker sent an undecodable frame: ${error.message}`);
      this.#notify();
    });
    // A reset while the broker closes a broken stream is expected; it still ends in 'close'.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
  }

  static open(port: number): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => {
        socket.off('error', reject);
        resolve(new RawSession(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  write(bytes: Buffer): void {
    if (bytes.length > 0 && !this.#socket.destroyed) this.#socket.write(bytes);
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Resolves true once `condition` holds, false if it still does not after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs = SOCKET_DEADLINE_MS): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        resolve(false);
      }, timeoutMs);
      this.#listeners.add(check);
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

interface FuzzReport {
  inputs: number;
  sockets: number;
  readonly problems: string[];
  readonly responseCodes: Map<number, number>;
  readonly systemErrorRemarks: Set<string>;
}

async function runPlan(broker: Broker, plan: SocketPlan, index: number, report: FuzzReport): Promise<void> {
  const session = await RawSession.open(plan.vip ? broker.vipPort : broker.port);
  const sent = plan.requests.map((request, i) => ({ ...request.command, opaque: OPAQUE_BASE + i }));
  session.write(Buffer.concat(sent.map((command) => encodeFrame(command))));
  const expected = new Set(sent.filter(mustBeAnswered).map((command) => command.opaque));
  const answered = new Set<number>();
  const allAnswered = () => {
    for (const response of session.responses) answered.add(response.opaque);
    return [...expected].every((opaque) => answered.has(opaque));
  };
  if (!(await session.until(() => allAnswered() || session.isClosed))) {
    report.problems.push(`socket ${index}: no answer within ${SOCKET_DEADLINE_MS} ms (hang)`);
  } else if (!allAnswered()) {
    const missing = [...expected].filter((opaque) => !answered.has(opaque));
    const labels = missing.map((opaque) => plan.requests[opaque - OPAQUE_BASE]?.label);
    report.problems.push(`socket ${index}: closed by the broker before answering ${labels.join(', ')}`);
  }
  session.write(plan.tail.bytes);
  session.end();
  if (!(await session.until(() => session.isClosed))) {
    report.problems.push(`socket ${index}: still open ${SOCKET_DEADLINE_MS} ms after "${plan.tail.label}"`);
    session.destroy();
  }
  for (const response of session.responses) {
    const request = sent[response.opaque - OPAQUE_BASE];
    if (!isResponse(response)) {
      // The broker tells registered consumers when their group changes; fuzz heartbeats register some.
      if (response.code !== RequestCode.NOTIFY_CONSUMER_IDS_CHANGED) {
        report.problems.push(`socket ${index}: the broker sent request code ${response.code}`);
      }
      continue;
    }
    if (request !== undefined && (isOneway(request) || isResponse(request))) {
      report.problems.push(
        `socket ${index}: answered a ${isOneway(request) ? 'oneway' : 'response-flagged'} request`,
      );
    }
    report.responseCodes.set(response.code, (report.responseCodes.get(response.code) ?? 0) + 1);
    if (response.code === ResponseCode.SYSTEM_ERROR && report.systemErrorRemarks.size < 2000) {
      report.systemErrorRemarks.add((response.remark ?? '').replace(/\d+/g, 'N').slice(0, 100));
    }
  }
  report.problems.push(...session.errors.map((error) => `socket ${index}: ${error}`));
  report.inputs += inputsOf(plan);
  report.sockets++;
}

async function fuzz(broker: Broker): Promise<FuzzReport> {
  const report: FuzzReport = {
    inputs: 0,
    sockets: 0,
    problems: [],
    responseCodes: new Map(),
    systemErrorRemarks: new Set(),
  };
  const plans = fc.sample(socketPlanArb(NAMES), { seed: FUZZ_SEED, numRuns: 1500 });
  let next = 0;
  const worker = async () => {
    while (report.inputs < TARGET_INPUTS) {
      const index = next++;
      const plan = plans[index];
      if (plan === undefined)
        throw new Error(`the ${plans.length} sampled plans hold fewer than ${TARGET_INPUTS} inputs`);
      await runPlan(broker, plan, index, report);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_SOCKETS }, worker));
  return report;
}

interface WellBehavedLog {
  /** Bodies acknowledged by the broker, in queue-offset order. */
  readonly bodies: string[];
  readonly failures: string[];
  roundTrips: number;
}

function goodBody(i: number): string {
  return `well-behaved #${i} ${'.'.repeat(i % 37)}`;
}

/** One send + pull of the next message; every deviation is recorded, nothing is thrown. */
async function wellBehavedRoundTrip(cluster: TestCluster, log: WellBehavedLog): Promise<void> {
  const i = log.bodies.length;
  const body = goodBody(i);
  const address = cluster.broker.address;
  try {
    const sent = await send(cluster.client, address, {
      topic: GOOD_TOPIC,
      body,
      keys: `good-${i}`,
      queueId: 0,
      serializeType: i % 2 === 0 ? 'JSON' : 'ROCKETMQ',
    });
    if (sent.code !== ResponseCode.SUCCESS) {
      log.failures.push(`send #${i}: code ${sent.code} ${sent.remark ?? ''}`);
      return;
    }
    log.bodies.push(body);
    const pulled = await pull(cluster.client, address, { group: GOOD_GROUP, topic: GOOD_TOPIC, offset: i });
    const [message] = pulled.code === ResponseCode.SUCCESS ? messagesOf(pulled) : [];
    if (message?.body?.toString() !== body || message.queueOffset !== i) {
      log.failures.push(
        `pull #${i}: code ${pulled.code} ${pulled.remark ?? ''}, got ${message?.body?.toString()}`,
      );
    }
    log.roundTrips++;
  } catch (error) {
    log.failures.push(`round trip #${i}: ${String(error)}`);
  }
}

/** Everything in the well-behaved queue, read from offset 0 in pages. */
async function readBackGoodQueue(cluster: TestCluster): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const pulled = await pull(cluster.client, cluster.broker.address, {
      group: GOOD_GROUP,
      topic: GOOD_TOPIC,
      offset: bodies.length,
      maxMsgNums: 32,
    });
    if (pulled.code !== ResponseCode.SUCCESS) return bodies;
    for (const message of messagesOf(pulled)) {
      expect(message.queueOffset).toBe(bodies.length);
      expect(message.topic).toBe(GOOD_TOPIC);
      bodies.push(message.body?.toString() ?? '<no body>');
    }
  }
}

function invoke(cluster: TestCluster, code: number, extFields: ReadonlyMap<string, string>, body?: Buffer) {
  return cluster.client.invoke(
    cluster.broker.address,
    createRequest({ code, opaque: 0, extFields, ...(body === undefined ? {} : { body }) }),
    5000,
  );
}

function validPullFields(): Map<string, string> {
  return PullMessageRequestHeader.encode({
    consumerGroup: GOOD_GROUP,
    topic: EXPLICIT_TOPIC,
    queueId: 0,
    queueOffset: 0,
    maxMsgNums: 1,
    sysFlag: PullSysFlag.SUBSCRIPTION,
    commitOffset: 0,
    suspendTimeoutMillis: 0,
    subscription: '*',
    subVersion: 0,
    expressionType: 'TAG',
    bname: undefined,
  });
}

function validSendFields(): Map<string, string> {
  return encodeSendMessageHeaderV2({
    producerGroup: 'pg',
    topic: EXPLICIT_TOPIC,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    flag: 0,
    properties: '',
    reconsumeTimes: 0,
    unitMode: false,
    maxReconsumeTimes: undefined,
    batch: false,
    bname: undefined,
  });
}

function withField(fields: Map<string, string>, key: string, value: string | undefined): Map<string, string> {
  const copy = new Map(fields);
  if (value === undefined) copy.delete(key);
  else copy.set(key, value);
  return copy;
}

describe('broker under fuzz', () => {
  let cluster: TestCluster;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  // The broker reports a failing event listener as a process warning (TypedEmitter).
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('warning', onWarning);
    cluster = await startCluster();
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('warning', onWarning);
    await cluster.stop();
  });

  describe('answers wrongly typed headers with SYSTEM_ERROR naming the field', () => {
    beforeAll(async () => {
      const created = await send(cluster.client, cluster.broker.address, {
        topic: EXPLICIT_TOPIC,
        body: 'x',
      });
      expect(created.code).toBe(ResponseCode.SUCCESS);
    });

    // [name, request code, ext fields, text the remark must contain, body]
    const cases: ReadonlyArray<[string, number, () => Map<string, string>, string, Buffer | undefined]> = [
      [
        'pull, queueId not an int',
        RequestCode.PULL_MESSAGE,
        () => withField(validPullFields(), 'queueId', 'abc'),
        'queueId',
        undefined,
      ],
      [
        'pull, queueOffset beyond 2^53',
        RequestCode.PULL_MESSAGE,
        () => withField(validPullFields(), 'queueOffset', '9007199254740993'),
        'queueOffset',
        undefined,
      ],
      [
        'pull, maxMsgNums missing',
        RequestCode.PULL_MESSAGE,
        () => withField(validPullFields(), 'maxMsgNums', undefined),
        'maxMsgNums',
        undefined,
      ],
      [
        'pull, queueId 1e9 (out of range)',
        RequestCode.PULL_MESSAGE,
        () => withField(validPullFields(), 'queueId', '1000000000'),
        'queueId',
        undefined,
      ],
      [
        'pull, negative queueId',
        RequestCode.PULL_MESSAGE,
        () => withField(validPullFields(), 'queueId', '-1'),
        'queueId',
        undefined,
      ],
      [
        'send V2, e (queueId) as 1e9 text',
        RequestCode.SEND_MESSAGE_V2,
        () => withField(validSendFields(), 'e', '1e9'),
        'queueId',
        undefined,
      ],
      [
        'send V2, queueId 1e9 (out of range)',
        RequestCode.SEND_MESSAGE_V2,
        () => withField(validSendFields(), 'e', '1000000000'),
        'queueId',
        undefined,
      ],
      [
        'send V2, g (bornTimestamp) missing',
        RequestCode.SEND_MESSAGE_V2,
        () => withField(validSendFields(), 'g', undefined),
        'bornTimestamp',
        undefined,
      ],
      [
        'update offset, commitOffset not a long',
        RequestCode.UPDATE_CONSUMER_OFFSET,
        () =>
          withField(
            UpdateConsumerOffsetRequestHeader.encode({
              consumerGroup: 'g',
              topic: 'T',
              queueId: 0,
              commitOffset: 0,
              bname: undefined,
            }),
            'commitOffset',
            '12x',
          ),
        'commitOffset',
        undefined,
      ],
      [
        'view by id, offset text',
        RequestCode.VIEW_MESSAGE_BY_ID,
        () => withField(ViewMessageRequestHeader.encode({ offset: 0 }), 'offset', 'x'),
        'offset',
        undefined,
      ],
      [
        'query, maxNum beyond int',
        RequestCode.QUERY_MESSAGE,
        () =>
          withField(
            QueryMessageRequestHeader.encode({
              topic: 'T',
              key: 'k',
              maxNum: 1,
              beginTimestamp: 0,
              endTimestamp: 1,
              uniqueKeyQuery: false,
            }),
            'maxNum',
            '99999999999',
          ),
        'maxNum',
        undefined,
      ],
      [
        'create topic, perm as text',
        RequestCode.UPDATE_AND_CREATE_TOPIC,
        () =>
          withField(
            CreateTopicRequestHeader.encode({
              topic: 'FuzzExplicit',
              defaultTopic: 'TBW102',
              readQueueNums: 4,
              writeQueueNums: 4,
              perm: 6,
              topicFilterType: 'SINGLE_TAG',
              topicSysFlag: 0,
              order: false,
            }),
            'perm',
            'rw',
          ),
        'perm',
        undefined,
      ],
      [
        'heartbeat, clientID a number',
        RequestCode.HEART_BEAT,
        () => new Map(),
        'clientID',
        Buffer.from('{"clientID":5}'),
      ],
      [
        'lock, mqSet a string',
        RequestCode.LOCK_BATCH_MQ,
        () => new Map(),
        'mqSet',
        Buffer.from('{"clientId":"c","consumerGroup":"g","mqSet":"all"}'),
      ],
    ];

    it.each(cases)('%s', async (_name, code, fields, named, body) => {
      const response = await invoke(cluster, code, fields(), body);
      expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(response.remark).toContain(named);
    });

    it('drops the answer to a oneway request with a bad header and keeps serving the connection', async () => {
      const session = await RawSession.open(cluster.broker.port);
      const badOffset = withField(
        UpdateConsumerOffsetRequestHeader.encode({
          consumerGroup: 'g',
          topic: 'T',
          queueId: 0,
          commitOffset: 0,
          bname: undefined,
        }),
        'commitOffset',
        'not-a-number',
      );
      session.write(
        Buffer.concat([
          encodeFrame(
            createRequest({
              code: RequestCode.UPDATE_CONSUMER_OFFSET,
              opaque: 1,
              oneway: true,
              extFields: badOffset,
            }),
          ),
          encodeFrame(createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 2 })),
        ]),
      );
      expect(await session.until(() => session.responses.length >= 1)).toBe(true);
      expect(session.responses.map((r) => [r.opaque, r.code])).toEqual([[2, ResponseCode.SUCCESS]]);
      expect(session.isClosed).toBe(false);
      session.destroy();
    });

    it('closes a connection whose JSON header has a non-numeric code, processing nothing after it', async () => {
      const session = await RawSession.open(cluster.broker.port);
      session.write(
        Buffer.concat([
          encodeFrame(createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 7 })),
          rawFrame(0, Buffer.from('{"code":"abc","opaque":8,"flag":0}')),
          encodeFrame(createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 9 })),
        ]),
      );
      expect(await session.until(() => session.isClosed)).toBe(true);
      // The frame before the bad one was dispatched, but its answer may lose the race with the close.
      expect(session.responses.filter((r) => r.opaque !== 7)).toEqual([]);
    });

    it('closes a connection whose ROCKETMQ header points past its end', async () => {
      const header = encodeRocketMqHeader(
        createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 3 }),
      );
      header.writeInt32BE(1_000_000, 13); // remark length
      const session = await RawSession.open(cluster.broker.port);
      session.write(rawFrame(1, header));
      expect(await session.until(() => session.isClosed)).toBe(true);
      expect(session.responses).toEqual([]);
    });

    it('closes a connection announcing a frame over 16 MiB without waiting for its bytes', async () => {
      const session = await RawSession.open(cluster.broker.port);
      const prefix = Buffer.alloc(8);
      prefix.writeInt32BE(16 * 1024 * 1024 - 3, 0);
      session.write(prefix);
      expect(await session.until(() => session.isClosed)).toBe(true);
    });
  });

  describe('requests within the types but at the edges', () => {
    it('holds a pull asking for a 2^53 - 1 ms suspension until a message arrives', async () => {
      const topic = 'FuzzHeldForever';
      expect((await send(cluster.client, cluster.broker.address, { topic, body: 'first' })).code).toBe(0);
      const fields = withField(
        withField(
          withField(
            withField(validPullFields(), 'topic', topic),
            'sysFlag',
            String(PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND),
          ),
          'suspendTimeoutMillis',
          String(Number.MAX_SAFE_INTEGER),
        ),
        'queueOffset',
        '1',
      );
      const held = invoke(cluster, RequestCode.PULL_MESSAGE, fields);
      await waitFor(() => cluster.broker.context.holds.heldCount === 1, {
        timeoutMs: 5000,
        description: 'the pull to be held',
      });
      expect((await send(cluster.client, cluster.broker.address, { topic, body: 'second' })).code).toBe(0);
      const answer = await held;
      expect([answer.code, answer.remark]).toEqual([ResponseCode.SUCCESS, 'FOUND']);
      expect(messagesOf(answer).map((m) => m.body?.toString())).toEqual(['second']);
    });

    it('answers a query whose records exceed the 16 MiB frame limit with the newest that fit', async () => {
      // Five records of almost 4 MiB (maxMessageSize) with one key: together past one frame.
      const body = Buffer.alloc(4 * 1024 * 1024 - 512, 0x61);
      for (let i = 0; i < 5; i++) {
        const sent = await send(cluster.client, cluster.broker.address, {
          topic: 'FuzzBig',
          body,
          keys: 'big',
        });
        expect(sent.code).toBe(ResponseCode.SUCCESS);
      }
      const fields = QueryMessageRequestHeader.encode({
        topic: 'FuzzBig',
        key: 'big',
        maxNum: 64,
        beginTimestamp: 0,
        endTimestamp: Number.MAX_SAFE_INTEGER,
        uniqueKeyQuery: false,
      });
      const answer = await invoke(cluster, RequestCode.QUERY_MESSAGE, fields);
      expect(answer.code).toBe(ResponseCode.SUCCESS);
      // Three of the five fit one frame (the transport's own fallback, SYSTEM_ERROR, is tested in
      // remoting-server-unframeable-response.test.ts).
      expect(messagesOf(answer)).toHaveLength(3);
    });
  });

  it('survives 10,000 hostile inputs while serving a well-behaved client, and keeps what it stored', async () => {
    const brokerAtStart = cluster.broker;
    const log: WellBehavedLog = { bodies: [], failures: [], roundTrips: 0 };
    // The first round trip creates the well-behaved topic before any fuzz input arrives.
    await wellBehavedRoundTrip(cluster, log);

    let fuzzDone = false;
    const wellBehaved = (async () => {
      while (!fuzzDone || log.roundTrips < 100) await wellBehavedRoundTrip(cluster, log);
    })();
    const report = await fuzz(brokerAtStart).finally(() => {
      fuzzDone = true;
    });
    await wellBehaved;

    expect(report.problems).toEqual([]);
    expect(report.inputs).toBeGreaterThanOrEqual(TARGET_INPUTS);
    // The fuzz reached processors both ways: requests that passed validation and ones refused.
    expect(report.responseCodes.get(ResponseCode.SUCCESS)).toBeGreaterThan(100);
    expect(report.responseCodes.get(ResponseCode.SYSTEM_ERROR)).toBeGreaterThan(100);
    // No answer leaks a JavaScript runtime error instead of a message naming the problem.
    expect([...report.systemErrorRemarks].filter((remark) => UNTYPED_ERROR_REMARK.test(remark))).toEqual([]);
    expect(log.failures).toEqual([]);
    expect(log.roundTrips).toBeGreaterThanOrEqual(100);
    expect(unhandled).toEqual([]);
    expect(warnings).toEqual([]);

    // Same broker object, still answering a new connection.
    expect(cluster.broker).toBe(brokerAtStart);
    const fresh = new RemotingClient({ clock: systemClock });
    try {
      const info = await fresh.invoke(
        cluster.broker.address,
        createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 0 }),
        5000,
      );
      expect(info.code).toBe(ResponseCode.SUCCESS);
    } finally {
      await fresh.close();
    }

    expect(await readBackGoodQueue(cluster)).toEqual(log.bodies);
    const before = cluster.broker.context.store.commitLogOffsets();
    const oldBroker = cluster.broker;
    await cluster.restartBroker();
    const afterClose = oldBroker.context.store.commitLogOffsets();
    const reopened = cluster.broker.context.store.commitLogOffsets();
    // Nothing acknowledged was cut by recovery: the reopened log ends where the closed one did.
    expect(afterClose.max).toBeGreaterThanOrEqual(before.max);
    expect(reopened.max).toBe(afterClose.max);
    expect(reopened.confirmed).toBe(afterClose.max);
    expect(await readBackGoodQueue(cluster)).toEqual(log.bodies);
  }, 60_000);
});
