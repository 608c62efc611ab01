// Micro-costs of the broker's request path, one step at a time, in one process with no sockets:
// what the send and pull processors spend on a typical request besides the event loop and the TCP
// stack. Each step runs on the inputs the end-to-end benchmark sends (bench-requests.ts).
import { join } from 'node:path';
import { systemClock } from '@keel/broker';
import {
  createOffsetMessageId,
  createResponse,
  decodeSendMessageHeader,
  defaultStoreConfig,
  encodeFrame,
  FrameDecoder,
  hostAddressOf,
  MessageStore,
  NodeDisk,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  ResponseCode,
  SendMessageResponseHeader,
} from '@keel/broker/internal';
import type { PutMessageRequest, RemotingCommand, SerializeTypeName } from '@keel/broker/internal';
import { costPerOp, timeSync, type OpCost } from './cost-timer';
import { BENCH_BODY, pullRequest, sendRequest, uniqueKeyOf } from './bench-requests';

export const PULL_BATCH = 32;
const STORE_HOST = hostAddressOf('127.0.0.1', 10911);
const BORN_HOST = hostAddressOf('127.0.0.1', 40000);
/** Puts awaiting acknowledgement at once, as with 512 send requests in flight. */
const PUTS_IN_FLIGHT = 512;

export type MicroCosts = Record<string, OpCost>;

function decodeSendFrame(serializeType: SerializeTypeName): (i: number) => number {
  const frame = encodeFrame(sendRequest({ topic: 'BenchTopic', queueId: 0, sequence: 1, serializeType }));
  const decoder = new FrameDecoder();
  return () => {
    const { commands, error } = decoder.push(frame);
    if (error !== undefined || commands.length !== 1) throw new Error('the send frame did not decode');
    return commands[0]!.body.length;
  };
}

/** The response the send processor builds for one stored message. */
function sendResponse(request: RemotingCommand, physicalOffset: number): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, undefined, {
    extFields: SendMessageResponseHeader.encode({
      msgId: createOffsetMessageId(STORE_HOST, physicalOffset),
      queueId: 0,
      queueOffset: physicalOffset >> 10,
      transactionId: undefined,
      msgRegion: 'DefaultRegion',
      traceOn: 'true',
    }),
  });
}

function pullResponse(request: RemotingCommand, body: Buffer): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, 'FOUND', {
    extFields: PullMessageResponseHeader.encode({
      suggestWhichBrokerId: 0,
      nextBeginOffset: 1_000_032,
      minOffset: 0,
      maxOffset: 2_000_000,
    }),
    body,
  });
}

/** The codec steps: frame decode, header decode, response encode; `records` are a pull's records. */
export function codecCosts(records: readonly Buffer[]): MicroCosts {
  const send = sendRequest({ topic: 'BenchTopic', queueId: 0, sequence: 1 });
  const pull = pullRequest({ topic: 'BenchTopic', queueId: 0, offset: 1_000_000, maxMessages: PULL_BATCH });
  const body = Buffer.concat(records);
  const sendAnswer = sendResponse(send, 123_456_789);
  const pullAnswer = pullResponse(pull, body);
  return {
    'FrameDecoder.push: SEND_MESSAGE_V2, JSON header, 1 KiB body': timeSync(200_000, decodeSendFrame('JSON')),
    'FrameDecoder.push: SEND_MESSAGE_V2, ROCKETMQ header, 1 KiB body': timeSync(
      200_000,
      decodeSendFrame('ROCKETMQ'),
    ),
    'decodeSendMessageHeader (V2 names)': timeSync(
      200_000,
      () => decodeSendMessageHeader(send.code, send.extFields).queueId + 1,
    ),
    'build send response (message id, header)': timeSync(
      200_000,
      (i) => sendResponse(send, i << 10).extFields.size,
    ),
    'encodeFrame: send response': timeSync(200_000, () => encodeFrame(sendAnswer).length),
    'PullMessageRequestHeader.decode': timeSync(
      200_000,
      () => PullMessageRequestHeader.decode(pull.extFields).maxMsgNums,
    ),
    'Buffer.concat: pull body of 32 records': timeSync(50_000, () => Buffer.concat(records).length),
    'encodeFrame: pull response, 32 × 1 KiB records': timeSync(50_000, () => encodeFrame(pullAnswer).length),
  };
}

function putRequest(sequence: number): PutMessageRequest {
  return {
    fields: {
      queueId: 0,
      flag: 0,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: BORN_HOST,
      storeTimestamp: 0,
      storeHost: STORE_HOST,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: BENCH_BODY,
      topic: 'BenchTopic',
      properties: `UNIQ_KEY\u0001${uniqueKeyOf(sequence)}\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002CLUSTER\u0001DefaultCluster`,
    },
    tags: 'TagA',
    uniqKey: uniqueKeyOf(sequence),
  };
}

export interface StoreCosts {
  readonly costs: MicroCosts;
  /** The records of one getMessage: a real pull body for the codec costs. */
  readonly pulledRecords: readonly Buffer[];
}

/** putMessage with 512 in flight, then getMessage of 32 from what was put, on a real disk. */
export async function storeCosts(dir: string, puts: number, gets: number): Promise<StoreCosts> {
  const store = await MessageStore.open({
    disk: new NodeDisk(),
    clock: systemClock,
    config: defaultStoreConfig(join(dir, 'store'), { flushDiskType: 'ASYNC_FLUSH' }),
  });
  try {
    const inFlight: Array<Promise<unknown>> = [];
    const putCpuStart = process.cpuUsage();
    const putStart = process.hrtime.bigint();
    for (let i = 0; i < puts; i++) {
      const slot = i % PUTS_IN_FLIGHT;
      if (inFlight[slot] !== undefined) await inFlight[slot];
      inFlight[slot] = store.putMessage(putRequest(i)).then((result) => {
        if (result.status !== 'PUT_OK') throw new Error(`put ${i} answered ${result.status}`);
      });
    }
    await Promise.all(inFlight);
    const putCost = costPerOp(puts, putStart, putCpuStart);

    const batches = Math.floor(puts / PULL_BATCH);
    const limits = { maxMessages: PULL_BATCH, maxBytes: 256 * 1024 };
    let pulledRecords: readonly Buffer[] = [];
    const getCpuStart = process.cpuUsage();
    const getStart = process.hrtime.bigint();
    for (let i = 0; i < gets; i++) {
      const result = await store.getMessage('BenchTopic', 0, (i % batches) * PULL_BATCH, limits);
      if (result.records.length !== PULL_BATCH) throw new Error(`get ${i} found ${result.status}`);
      pulledRecords = result.records;
    }
    const getCost = costPerOp(gets, getStart, getCpuStart);
    return {
      costs: {
        'MessageStore.putMessage (ASYNC_FLUSH, 512 in flight)': putCost,
        'MessageStore.getMessage, 32 messages': getCost,
      },
      pulledRecords,
    };
  } finally {
    await store.close();
  }
}
