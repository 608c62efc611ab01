import {
  BODY_LENGTH_OFFSET_V4,
  BORN_HOST_OFFSET,
  MessageSysFlag,
  PHYSICAL_OFFSET_OFFSET,
  QUEUE_OFFSET_OFFSET,
  STORE_TIMESTAMP_OFFSET_V4,
  SYS_FLAG_OFFSET,
  bodyLengthOffset,
  preparedTransactionOffsetOffset,
  reconsumeTimesOffset,
  storeHostOffset,
  storeTimestampOffset,
  transactionType,
  withHostFamilies,
  withTransactionType,
} from '../../../src/protocol/message';

describe('MessageSysFlag', () => {
  it('reads and replaces the transaction type without touching other bits', () => {
    const flag = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.TRANSACTION_PREPARED_TYPE | 0x30;
    expect(transactionType(flag)).toBe(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
    const committed = withTransactionType(flag, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    expect(committed).toBe(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.TRANSACTION_COMMIT_TYPE | 0x30);
    expect(transactionType(withTransactionType(committed, MessageSysFlag.TRANSACTION_NOT_TYPE))).toBe(0);
  });

  it('sets the host-family bits from the hosts', () => {
    expect(withHostFamilies(0x30 | 0x1, false, false)).toBe(0x1);
    expect(withHostFamilies(0, true, false)).toBe(MessageSysFlag.BORNHOST_V6_FLAG);
    expect(withHostFamilies(0, false, true)).toBe(MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  });
});

describe('stored-message layout', () => {
  it('has the positions MessageDecoder names', () => {
    expect(QUEUE_OFFSET_OFFSET).toBe(20);
    expect(PHYSICAL_OFFSET_OFFSET).toBe(28);
    expect(SYS_FLAG_OFFSET).toBe(36);
    expect(BORN_HOST_OFFSET).toBe(48);
  });

  it.each([
    [0x00, 56, 64, 72, 76, 84],
    [0x10, 68, 76, 84, 88, 96],
    [0x20, 56, 64, 84, 88, 96],
    [0x30, 68, 76, 96, 100, 108],
  ])(
    'moves the fields after each IPv6 host by 12 (sysFlag %#x)',
    (flag, storeTs, storeHost, reconsume, prepared, body) => {
      expect([
        storeTimestampOffset(flag),
        storeHostOffset(flag),
        reconsumeTimesOffset(flag),
        preparedTransactionOffsetOffset(flag),
        bodyLengthOffset(flag),
      ]).toEqual([storeTs, storeHost, reconsume, prepared, body]);
    },
  );

  it('agrees with its IPv4 constants', () => {
    expect(storeTimestampOffset(0)).toBe(STORE_TIMESTAMP_OFFSET_V4);
    expect(bodyLengthOffset(0)).toBe(BODY_LENGTH_OFFSET_V4);
  });
});
