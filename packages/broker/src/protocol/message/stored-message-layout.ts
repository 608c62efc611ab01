// The commit-log record of RocketMQ 4.x (`MessageDecoder`, `CommitLog.calMsgLength`), which is also
// the unit of pull, query and check-transaction bodies. Big-endian. Offsets are for IPv4 born and
// store hosts; an IPv6 host field is 16 + 4 bytes instead of 4 + 4 and moves everything after it
// 12 bytes further. sysFlag bit 0x10 says the born host is IPv6, bit 0x20 the store host.
//
//    off  size  field
//   +----+----+-------------------------------------------------------------------+
//   |   0|   4| TOTALSIZE          the whole record, this field included          |
//   |   4|   4| MAGICCODE          0xDAA320A7                                     |
//   |   8|   4| BODYCRC            crc32(body) & 0x7FFFFFFF                       |
//   |  12|   4| QUEUEID                                                           |
//   |  16|   4| FLAG               the producer's int flag                        |
//   |  20|   8| QUEUEOFFSET        index in the consume queue       (append time) |
//   |  28|   8| PHYSICALOFFSET     byte offset in the commit log    (append time) |
//   |  36|   4| SYSFLAG            message-sys-flag.ts                            |
//   |  40|   8| BORNTIMESTAMP      ms, producer's clock                           |
//   |  48|8/20| BORNHOST           ip 4|16 bytes + port int                       |
//   |  56|   8| STORETIMESTAMP     ms, broker's clock               (append time) |
//   |  64|8/20| STOREHOST          ip 4|16 bytes + port int                       |
//   |  72|   4| RECONSUMETIMES                                                    |
//   |  76|   8| PREPAREDTXOFFSET   commit records: the half message's offset; 0   |
//   |  84|   4| BODYLENGTH n                                                      |
//   |  88|   n| BODY                                                              |
//   |88+n|   1| TOPICLENGTH t      signed byte: t <= 127                          |
//   |    |   t| TOPIC              UTF-8                                          |
//   |    |   2| PROPERTIESLENGTH p signed short: p <= 32767                       |
//   |    |   p| PROPERTIES         UTF-8, message-properties.ts                   |
//   +----+----+-------------------------------------------------------------------+
//   TOTALSIZE = 91 + n + t + p, plus 12 for each IPv6 host
//
// The end-of-file blank record, written when the next record + 8 bytes no longer fits a segment;
// readers seeing it move on to the next segment:
//
//   +----+----+-------------------------------------------------------------------+
//   |   0|   4| TOTALSIZE          every byte left in the segment, these 8 too    |
//   |   4|   4| MAGICCODE          0xCBD43194                                     |
//   +----+----+-------------------------------------------------------------------+

import { isBornHostV6, isStoreHostV6 } from './message-sys-flag';

export const BYTE_SIZE = 1;
export const SHORT_SIZE = 2;
export const INT_SIZE = 4;
export const LONG_SIZE = 8;

/** 0xDAA320A7 read as a Java int. */
export const MESSAGE_MAGIC_CODE = -626_843_481;
/** 0xCBD43194 read as a Java int. */
export const BLANK_MAGIC_CODE = -875_286_124;

export const IPV4_ADDRESS_SIZE = 4;
export const IPV6_ADDRESS_SIZE = 16;
export const PORT_SIZE = 4;
export const IPV4_HOST_SIZE = 8;
export const IPV6_HOST_SIZE = 20;
/** How far an IPv6 host moves the fields after it. */
export const IPV6_HOST_EXTRA = 12;

// Fixed positions, the same for every record.
export const TOTAL_SIZE_OFFSET = 0;
export const MAGIC_OFFSET = 4;
export const BODY_CRC_OFFSET = 8;
export const QUEUE_ID_OFFSET = 12;
export const FLAG_OFFSET = 16;
/** `MessageDecoder.QUEUE_OFFSET_POSITION`. */
export const QUEUE_OFFSET_OFFSET = 20;
/** `MessageDecoder.PHY_POS_POSITION`. */
export const PHYSICAL_OFFSET_OFFSET = 28;
/** `MessageDecoder.SYSFLAG_POSITION`. */
export const SYS_FLAG_OFFSET = 36;
export const BORN_TIMESTAMP_OFFSET = 40;
export const BORN_HOST_OFFSET = 48;

// Positions after the born host, for IPv4 born and store hosts; see the functions below for others.
export const STORE_TIMESTAMP_OFFSET_V4 = 56;
export const STORE_HOST_OFFSET_V4 = 64;
export const RECONSUME_TIMES_OFFSET_V4 = 72;
export const PREPARED_TRANSACTION_OFFSET_OFFSET_V4 = 76;
export const BODY_LENGTH_OFFSET_V4 = 84;
export const BODY_OFFSET_V4 = 88;

/** Everything but the body, topic and properties bytes, for IPv4 hosts: the smallest valid record. */
export const FIXED_PART_SIZE_V4 = 91;
export const FIXED_PART_SIZE_V6 = 115;
export const MIN_RECORD_SIZE = FIXED_PART_SIZE_V4;

/** Topic length is one signed byte. */
export const MAX_TOPIC_LENGTH = 127;
/** Properties length is a signed short. */
export const MAX_PROPERTIES_LENGTH = 32_767;

/** The blank record, and the slack a segment keeps after the last record (`END_FILE_MIN_BLANK_LENGTH`). */
export const BLANK_RECORD_SIZE = 8;

// Compile-time checks of how the constants relate: a wrong edit fails `tsc`, not a customer's disk.
// Sum adds two small non-negative literals through tuple lengths.
type Tuple<N extends number, T extends 0[] = []> = T['length'] extends N ? T : Tuple<N, [...T, 0]>;
type Sum<A extends number, B extends number> = [...Tuple<A>, ...Tuple<B>]['length'];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
type Next<Offset extends number, Size extends number> = Sum<Offset, Size>;
type _StoredMessageLayoutChecks = [
  Check<Same<typeof MAGIC_OFFSET, Next<typeof TOTAL_SIZE_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof BODY_CRC_OFFSET, Next<typeof MAGIC_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof QUEUE_ID_OFFSET, Next<typeof BODY_CRC_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof FLAG_OFFSET, Next<typeof QUEUE_ID_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof QUEUE_OFFSET_OFFSET, Next<typeof FLAG_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof PHYSICAL_OFFSET_OFFSET, Next<typeof QUEUE_OFFSET_OFFSET, typeof LONG_SIZE>>>,
  Check<Same<typeof SYS_FLAG_OFFSET, Next<typeof PHYSICAL_OFFSET_OFFSET, typeof LONG_SIZE>>>,
  Check<Same<typeof BORN_TIMESTAMP_OFFSET, Next<typeof SYS_FLAG_OFFSET, typeof INT_SIZE>>>,
  Check<Same<typeof BORN_HOST_OFFSET, Next<typeof BORN_TIMESTAMP_OFFSET, typeof LONG_SIZE>>>,
  Check<Same<typeof IPV4_HOST_SIZE, Sum<typeof IPV4_ADDRESS_SIZE, typeof PORT_SIZE>>>,
  Check<Same<typeof IPV6_HOST_SIZE, Sum<typeof IPV6_ADDRESS_SIZE, typeof PORT_SIZE>>>,
  Check<Same<typeof IPV6_HOST_SIZE, Sum<typeof IPV4_HOST_SIZE, typeof IPV6_HOST_EXTRA>>>,
  Check<Same<typeof STORE_TIMESTAMP_OFFSET_V4, Next<typeof BORN_HOST_OFFSET, typeof IPV4_HOST_SIZE>>>,
  Check<Same<typeof STORE_HOST_OFFSET_V4, Next<typeof STORE_TIMESTAMP_OFFSET_V4, typeof LONG_SIZE>>>,
  Check<Same<typeof RECONSUME_TIMES_OFFSET_V4, Next<typeof STORE_HOST_OFFSET_V4, typeof IPV4_HOST_SIZE>>>,
  Check<
    Same<
      typeof PREPARED_TRANSACTION_OFFSET_OFFSET_V4,
      Next<typeof RECONSUME_TIMES_OFFSET_V4, typeof INT_SIZE>
    >
  >,
  Check<
    Same<typeof BODY_LENGTH_OFFSET_V4, Next<typeof PREPARED_TRANSACTION_OFFSET_OFFSET_V4, typeof LONG_SIZE>>
  >,
  Check<Same<typeof BODY_OFFSET_V4, Next<typeof BODY_LENGTH_OFFSET_V4, typeof INT_SIZE>>>,
  // After the body: topic length byte, properties length short.
  Check<
    Same<typeof FIXED_PART_SIZE_V4, Sum<Sum<typeof BODY_OFFSET_V4, typeof BYTE_SIZE>, typeof SHORT_SIZE>>
  >,
  Check<
    Same<
      typeof FIXED_PART_SIZE_V6,
      Sum<Sum<typeof FIXED_PART_SIZE_V4, typeof IPV6_HOST_EXTRA>, typeof IPV6_HOST_EXTRA>
    >
  >,
  Check<Same<typeof BLANK_RECORD_SIZE, Sum<typeof INT_SIZE, typeof INT_SIZE>>>,
];

/** Size of the born-host field for this sysFlag. */
export function bornHostSize(sysFlag: number): number {
  return isBornHostV6(sysFlag) ? IPV6_HOST_SIZE : IPV4_HOST_SIZE;
}

/** Size of the store-host field for this sysFlag. */
export function storeHostSize(sysFlag: number): number {
  return isStoreHostV6(sysFlag) ? IPV6_HOST_SIZE : IPV4_HOST_SIZE;
}

export function storeTimestampOffset(sysFlag: number): number {
  return BORN_HOST_OFFSET + bornHostSize(sysFlag);
}

export function storeHostOffset(sysFlag: number): number {
  return storeTimestampOffset(sysFlag) + LONG_SIZE;
}

export function reconsumeTimesOffset(sysFlag: number): number {
  return storeHostOffset(sysFlag) + storeHostSize(sysFlag);
}

export function preparedTransactionOffsetOffset(sysFlag: number): number {
  return reconsumeTimesOffset(sysFlag) + INT_SIZE;
}

export function bodyLengthOffset(sysFlag: number): number {
  return preparedTransactionOffsetOffset(sysFlag) + LONG_SIZE;
}

/** Size of a record without its body, topic and properties bytes. */
export function fixedPartSize(sysFlag: number): number {
  return FIXED_PART_SIZE_V4 + bornHostSize(sysFlag) + storeHostSize(sysFlag) - 2 * IPV4_HOST_SIZE;
}

/** The byte lengths that decide a record's size. */
export interface StoredMessageSizes {
  /** Only the host-family bits (0x10, 0x20) matter. */
  readonly sysFlag: number;
  readonly bodyLength: number;
  /** UTF-8 bytes of the topic. */
  readonly topicLength: number;
  /** UTF-8 bytes of the properties string. */
  readonly propertiesLength: number;
}

/**
 * The exact TOTALSIZE of a record (`CommitLog.calMsgLength`): what to check against maxMessageSize
 * and the end-of-file rule (`size + BLANK_RECORD_SIZE <= bytes left in the segment`) before writing.
 */
export function storedMessageLength(sizes: StoredMessageSizes): number {
  return fixedPartSize(sizes.sysFlag) + sizes.bodyLength + sizes.topicLength + sizes.propertiesLength;
}
