import type { FakeClock } from '../../../src/common/fake-clock';
import { TypedEmitter } from '../../../src/common/typed-emitter';
import { PullMessageRequestHeader, PullSysFlag } from '../../../src/protocol/headers/pull-headers';
import { javaStringHashCode } from '../../../src/protocol/message/java-string-hash';
import { decodeStoredMessages } from '../../../src/protocol/message/stored-message-decoder';
import type { RemotingCommand } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import type { BrokerContext } from '../../../src/server/broker-context';
import { processPull } from '../../../src/server/processor/pull-processor';
import type { RequestContext } from '../../../src/transport/processor-table';
import type {
  RemotingConnection,
  RemotingConnectionEvents,
} from '../../../src/transport/remoting-connection';
import { consumerData, FakeChannel, identity, subscription } from '../client/fake-channel';
import { createTopic, openTestBroker, request, send, type TestBroker } from './processor-fixtures';
import { openStallingBroker, type StallingBroker } from './stalling-broker';

const GROUP = 'cg';
const SUSPEND_MS = 15_000;

/** The members of RemotingConnection the pull processor uses, with a real `once('close')`. */
class FakeConnection extends TypedEmitter<RemotingConnectionEvents> {
  isOpen = true;

  constructor(
    readonly id: number,
    readonly remoteAddress = `10.0.0.${id}:5000${id}`,
  ) {
    super();
    this.once('close', () => {
      this.isOpen = false;
    });
  }
}

let nextConnectionId = 9000;

interface Consumer {
  readonly connection: FakeConnection;
  readonly requestContext: RequestContext;
}

/** A consumer connection whose request the server decoded at `receivedAtMs`. */
function consumer(clock: FakeClock, receivedAtMs = clock.now()): Consumer {
  const connection = new FakeConnection(nextConnectionId++);
  return {
    connection,
    requestContext: {
      connection: connection as unknown as RemotingConnection,
      receivedAtMs,
      respondLater: () => undefined,
    },
  };
}

interface PullInput {
  readonly topic?: string;
  readonly queueId?: number;
  readonly offset: number;
  readonly maxMsgNums?: number;
  /** Default: SUBSCRIPTION only (the expression travels in the request, no suspend). */
  readonly sysFlag?: number;
  readonly commitOffset?: number;
  readonly subscription?: string;
  readonly subVersion?: number;
  readonly expressionType?: string;
  readonly group?: string;
}

function pullRequest(input: PullInput): RemotingCommand {
  const extFields = PullMessageRequestHeader.encode({
    consumerGroup: input.group ?? GROUP,
    topic: input.topic ?? 'T',
    queueId: input.queueId ?? 0,
    queueOffset: input.offset,
    maxMsgNums: input.maxMsgNums ?? 32,
    sysFlag: input.sysFlag ?? PullSysFlag.SUBSCRIPTION,
    commitOffset: input.commitOffset ?? 0,
    suspendTimeoutMillis: SUSPEND_MS,
    subscription: input.subscription ?? '*',
    subVersion: input.subVersion ?? 0,
    expressionType: input.expressionType ?? 'TAG',
    bname: undefined,
  });
  return request(RequestCode.PULL_MESSAGE, Object.fromEntries(extFields));
}

function pull(
  context: BrokerContext,
  input: PullInput,
  from: Consumer = consumer(context.clock as FakeClock),
): Promise<RemotingCommand | undefined> {
  return processPull(context, pullRequest(input), from.requestContext);
}

/** A pull answered now (not held). */
async function answered(promise: Promise<RemotingCommand | undefined>): Promise<RemotingCommand> {
  const response = await promise;
  if (response === undefined) throw new Error('the pull resolved without an answer');
  return response;
}

function bodiesOf(response: RemotingCommand): string[] {
  const batch = decodeStoredMessages(response.body);
  expect(batch.stoppedAt).toBeUndefined();
  return batch.messages.map((message) => message.body?.toString() ?? '');
}

function header(response: RemotingCommand, field: 'nextBeginOffset' | 'minOffset' | 'maxOffset'): number {
  return Number(response.extFields.get(field));
}

/** Lets a promise report whether it settled, without awaiting it. */
function watch<T>(promise: Promise<T>): { settled(): boolean; readonly promise: Promise<T> } {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise };
}

const SUSPEND = PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND;

describe('processPull answers', () => {
  let broker: TestBroker;
  afterEach(async () => broker.close());

  async function openWithTopic(lines: readonly string[] = []): Promise<BrokerContext> {
    broker = await openTestBroker(lines);
    await createTopic(broker.context, 'T');
    return broker.context;
  }

  it('answers SUCCESS with the records from the offset, and counts them', async () => {
    const context = await openWithTopic();
    for (const body of ['m0', 'm1', 'm2']) await send(context, { topic: 'T', body });
    const response = await answered(pull(context, { offset: 1 }));
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.remark).toBe('FOUND');
    expect(bodiesOf(response)).toEqual(['m1', 'm2']);
    expect(header(response, 'nextBeginOffset')).toBe(3);
    expect(header(response, 'maxOffset')).toBe(3);
    expect(context.stats.snapshot()).toMatchObject({ getMessages: 2, getBytes: response.body.length });
  });

  it('answers PULL_NOT_FOUND at the end of the queue without SUSPEND, and on a queue never written', async () => {
    const context = await openWithTopic();
    await send(context, { topic: 'T', body: 'only' });
    const atEnd = await answered(pull(context, { offset: 1 }));
    expect(atEnd.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(atEnd.remark).toBe('OFFSET_OVERFLOW_ONE');
    expect(header(atEnd, 'nextBeginOffset')).toBe(1);
    expect(atEnd.body.length).toBe(0);
    const empty = await answered(pull(context, { queueId: 3, offset: 0 }));
    expect(empty.code).toBe(ResponseCode.PULL_NOT_FOUND);
  });

  it('filters by the TAG expression in the request', async () => {
    const context = await openWithTopic();
    await send(context, { topic: 'T', body: 'a', tags: 'TagA' });
    await send(context, { topic: 'T', body: 'b', tags: 'TagB' });
    await send(context, { topic: 'T', body: 'c', tags: 'TagA' });
    const response = await answered(pull(context, { offset: 0, subscription: 'TagA || TagX' }));
    expect(bodiesOf(response)).toEqual(['a', 'c']);
    expect(header(response, 'nextBeginOffset')).toBe(3);
  });

  it('answers SUBSCRIPTION_NOT_EXIST without a SUBSCRIPTION flag when the group sent no heartbeat', async () => {
    const context = await openWithTopic();
    const response = await answered(pull(context, { offset: 0, sysFlag: 0 }));
    expect(response.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    expect(response.remark).toMatch(/group cg sent no heartbeat subscribing T/);
  });

  it("uses the heartbeat's subscription without a SUBSCRIPTION flag, and refuses an older one", async () => {
    const context = await openWithTopic();
    const tagA = { ...subscription('T', 5, 'TagA'), codeSet: [javaStringHashCode('TagA')] };
    context.consumers.register(
      consumerData(GROUP, [tagA]),
      identity(new FakeChannel(1)),
      context.clock.now(),
    );
    await send(context, { topic: 'T', body: 'a', tags: 'TagA' });
    await send(context, { topic: 'T', body: 'b', tags: 'TagB' });
    const current = await answered(pull(context, { offset: 0, sysFlag: 0, subVersion: 5 }));
    expect(current.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(current)).toEqual(['a']);
    const newer = await answered(pull(context, { offset: 0, sysFlag: 0, subVersion: 6 }));
    expect(newer.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST);
    expect(newer.remark).toMatch(/broker has version 5, the pull 6/);
  });

  it('refuses an SQL92 subscription with SYSTEM_ERROR, saying to subscribe by TAG', async () => {
    const context = await openWithTopic();
    const response = await answered(
      pull(context, { offset: 0, expressionType: 'SQL92', subscription: 'a > 1' }),
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/filter message by SQL92; subscribe by TAG/);
  });

  it('refuses a queueId at or past readQueueNums (even if writable) with SYSTEM_ERROR', async () => {
    broker = await openTestBroker();
    const { context } = broker;
    await context.topics.createOrUpdate({ topicName: 'T', readQueueNums: 2, writeQueueNums: 4 });
    const response = await answered(pull(context, { queueId: 2, offset: 0 }));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/queueId\[2\] is illegal.*readQueueNums:\[2\]/);
  });

  it('refuses a group with consumption disabled with NO_PERMISSION', async () => {
    const context = await openWithTopic();
    await context.groups.createOrUpdate({ groupName: GROUP, consumeEnable: false });
    const response = await answered(pull(context, { offset: 0 }));
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
    expect(response.remark).toMatch(/\[cg\] has consumption disabled/);
  });

  it('caps maxMsgNums at maxTransferCountOnMessageInMemory', async () => {
    const context = await openWithTopic(['maxTransferCountOnMessageInMemory = 3']);
    for (let i = 0; i < 5; i++) await send(context, { topic: 'T', body: `m${i}` });
    const capped = await answered(pull(context, { offset: 0, maxMsgNums: 32 }));
    expect(bodiesOf(capped)).toEqual(['m0', 'm1', 'm2']);
    expect(header(capped, 'nextBeginOffset')).toBe(3);
    const fewer = await answered(pull(context, { offset: 3, maxMsgNums: 1 }));
    expect(bodiesOf(fewer)).toEqual(['m3']);
  });

  it('answers PULL_OFFSET_MOVED past the end of a queue, with nextBeginOffset corrected to its start', async () => {
    const context = await openWithTopic();
    await send(context, { topic: 'T' });
    await send(context, { topic: 'T' });
    const response = await answered(pull(context, { offset: 100 }));
    expect(response.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(response.remark).toBe('OFFSET_OVERFLOW_BADLY');
    // RocketMQ's rule: a queue that still starts at 0 sends the consumer back to 0.
    expect(header(response, 'nextBeginOffset')).toBe(0);
  });

  it('answers PULL_OFFSET_MOVED below and far past a trimmed queue, with nextBeginOffset corrected', async () => {
    const context = await openWithTopic(['mappedFileSizeCommitLog = 4096', 'maxMessageSize = 2048']);
    for (let i = 0; i < 20; i++) await send(context, { topic: 'T', queueId: 0, body: 'x'.repeat(900) });
    // Back-dates the segments instead of advancing the fake clock 73 hours (see the store's tests).
    for (const name of await broker.disk.list('/data/store/commitlog')) {
      broker.disk.setModifiedAtMs(`/data/store/commitlog/${name}`, broker.clock.now() - 73 * 3600 * 1000);
    }
    const pass = context.store.deleteExpiredCommitLog();
    await broker.clock.advanceAsync(10_000);
    await pass;
    const min = context.store.minOffsetInQueue('T', 0);
    expect(min).toBeGreaterThan(0);
    const tooSmall = await answered(pull(context, { offset: 0 }));
    expect([tooSmall.code, tooSmall.remark]).toEqual([ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_TOO_SMALL']);
    expect(header(tooSmall, 'nextBeginOffset')).toBe(min);
    const tooLarge = await answered(pull(context, { offset: 500 }));
    expect([tooLarge.code, tooLarge.remark]).toEqual([
      ResponseCode.PULL_OFFSET_MOVED,
      'OFFSET_OVERFLOW_BADLY',
    ]);
    expect(header(tooLarge, 'nextBeginOffset')).toBe(20);
  });

  it('stores the commit offset with COMMIT_OFFSET', async () => {
    const context = await openWithTopic();
    await send(context, { topic: 'T' });
    const flags = PullSysFlag.SUBSCRIPTION | PullSysFlag.COMMIT_OFFSET;
    await answered(pull(context, { offset: 0, sysFlag: flags, commitOffset: 7 }));
    expect(context.offsets.query(GROUP, 'T', 0)).toBe(7);
    await answered(pull(context, { offset: 0, commitOffset: 9 }));
    expect(context.offsets.query(GROUP, 'T', 0)).toBe(7);
  });

  it('does not store the commit offset on a SLAVE', async () => {
    const context = await openWithTopic(['brokerRole = SLAVE', 'brokerId = 1']);
    const flags = PullSysFlag.SUBSCRIPTION | PullSysFlag.COMMIT_OFFSET;
    await answered(pull(context, { offset: 0, sysFlag: flags, commitOffset: 7 }));
    expect(context.offsets.query(GROUP, 'T', 0)).toBeUndefined();
  });
});

describe('processPull holding (long polling)', () => {
  let broker: StallingBroker;
  let context: BrokerContext;
  beforeEach(async () => {
    broker = await openStallingBroker();
    context = broker.context;
    await createTopic(context, 'T');
    // Creates the commit-log segment, so later stalls only delay message writes.
    await send(context, { topic: 'T', body: 'm0' });
  });
  afterEach(async () => broker.close());

  it('stays pending until a message is stored AND acknowledged, then answers it', async () => {
    const held = watch(pull(context, { offset: 1, sysFlag: SUSPEND }));
    await broker.clock.advanceAsync(0);
    expect(held.settled()).toBe(false);
    expect(context.holds.heldCount).toBe(1);

    broker.disk.stall();
    const sending = send(context, { topic: 'T', body: 'm1' });
    // Appended and dispatched, not yet on disk; the periodic check must not answer it either. (Run
    // directly: advancing the clock 5 s would also hit the store's flush timeout on the stalled disk.)
    await broker.clock.advanceAsync(100);
    expect(context.holds.checkHeldPulls()).toBe(0);
    await broker.clock.advanceAsync(0);
    expect(held.settled()).toBe(false);

    broker.disk.resume();
    await sending;
    const response = await answered(held.promise);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(response)).toEqual(['m1']);
    expect(context.holds.heldCount).toBe(0);
  });

  it('answers PULL_NOT_FOUND exactly at receivedAtMs + suspendTimeoutMillis', async () => {
    // Decoded a second ago: the hold counts from then, not from when the processor ran.
    const from = consumer(broker.clock, broker.clock.now() - 1000);
    const held = watch(pull(context, { offset: 1, sysFlag: SUSPEND }, from));
    await broker.clock.advanceAsync(SUSPEND_MS - 1000 - 1);
    expect(held.settled()).toBe(false);
    await broker.clock.advanceAsync(1);
    const response = await answered(held.promise);
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(header(response, 'nextBeginOffset')).toBe(1);
  });

  it('does not hold a pull without SUSPEND', async () => {
    const response = await answered(pull(context, { offset: 1 }));
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(context.holds.heldCount).toBe(0);
  });

  it('stores the commit offset on the first execution only, not when the held pull is re-executed', async () => {
    const flags = SUSPEND | PullSysFlag.COMMIT_OFFSET;
    const held = watch(pull(context, { offset: 1, sysFlag: flags, commitOffset: 1 }));
    await broker.clock.advanceAsync(0);
    expect(context.offsets.query(GROUP, 'T', 0)).toBe(1);
    // Another member of the group moves the offset while this pull waits.
    context.offsets.commit(GROUP, 'T', 0, 5);
    await send(context, { topic: 'T', body: 'm1' });
    expect((await answered(held.promise)).code).toBe(ResponseCode.SUCCESS);
    expect(context.offsets.query(GROUP, 'T', 0)).toBe(5);
  });

  it('resolves a held pull with no answer when its connection closes', async () => {
    const from = consumer(broker.clock);
    const held = watch(pull(context, { offset: 1, sysFlag: SUSPEND }, from));
    await broker.clock.advanceAsync(0);
    expect(held.settled()).toBe(false);
    from.connection.emit('close', 'peer closed');
    await expect(held.promise).resolves.toBeUndefined();
    // What the broker does on close; a later arrival then finds nothing to wake.
    expect(context.holds.removeConnection(from.connection.id)).toBe(1);
    await send(context, { topic: 'T', body: 'm1' });
    expect(context.holds.heldCount).toBe(0);
  });

  it('does not park a pull whose connection closed while the store was read', async () => {
    const from = consumer(broker.clock);
    from.connection.emit('close', 'peer closed');
    await expect(pull(context, { offset: 1, sysFlag: SUSPEND }, from)).resolves.toBeUndefined();
    expect(context.holds.heldCount).toBe(0);
  });

  it('stops listening for the close once a held pull is answered', async () => {
    const from = consumer(broker.clock);
    const before = from.connection.listenerCount('close'); // the fake's own isOpen tracking
    const held = watch(pull(context, { offset: 1, sysFlag: SUSPEND }, from));
    await broker.clock.advanceAsync(0);
    expect(from.connection.listenerCount('close')).toBe(before + 1);
    await send(context, { topic: 'T', body: 'm1' });
    await held.promise;
    expect(from.connection.listenerCount('close')).toBe(before);
  });
});
