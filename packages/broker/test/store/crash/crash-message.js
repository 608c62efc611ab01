// The message number n of the crash test: queue n % 4, a body derived from n and of varying size
// (so records straddle segment ends), so the parent can check identity without storing bodies.
const { hostAddressOf } = require('../../../dist/protocol/message/host-address');
const { messagePropertiesToString } = require('../../../dist/protocol/message/message-properties');

const TOPIC = 'CrashTopic';

/** Store settings of the crash test, shared by the child and the parent that checks its work. */
const CRASH_STORE_SETTINGS = {
  flushDiskType: 'SYNC_FLUSH',
  mappedFileSizeCommitLog: 256 * 1024,
  maxMessageSize: 64 * 1024,
  mappedFileSizeConsumeQueue: 20 * 1000,
  commitLogWriteChunkBytes: 64 * 1024,
};

function crashTestBody(n) {
  const size = 100 + ((n * 7919) % 1900);
  return Buffer.from(`m${n}:`.padEnd(size, String.fromCharCode(97 + (n % 26))));
}

function crashTestRequest(n) {
  const keys = `k${n}`;
  return {
    fields: {
      queueId: n % 4,
      flag: 0,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000 + n,
      bornHost: hostAddressOf('127.0.0.1', 40000),
      storeTimestamp: 0,
      storeHost: hostAddressOf('127.0.0.1', 10911),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: crashTestBody(n),
      topic: TOPIC,
      properties: messagePropertiesToString(new Map([['KEYS', keys]])),
    },
    keys,
  };
}

module.exports = { TOPIC, CRASH_STORE_SETTINGS, crashTestBody, crashTestRequest };
