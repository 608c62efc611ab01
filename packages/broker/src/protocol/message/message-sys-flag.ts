// The message sysFlag (`MessageSysFlag`, 4.9.8): an int of bits the broker and clients set. Bits 4
// and 5 change the stored record's layout (IPv6 hosts take 20 bytes instead of 8), so the decoder
// reads them before anything past the born timestamp.

export const MessageSysFlag = {
  /** Body is compressed; with no compression type bits set, it is zlib (pre-4.9.x producers). */
  COMPRESSED_FLAG: 0x1,
  /** Set by the broker when the topic's filter type is MULTI_TAG. */
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  /** Born host is IPv6: its field is 16 + 4 bytes. */
  BORNHOST_V6_FLAG: 0x10,
  /** Store host is IPv6: its field is 16 + 4 bytes. */
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  /** A batch whose body the broker must unwrap (4.9.x). */
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
  COMPRESSION_LZ4_TYPE: 0x100,
  COMPRESSION_ZSTD_TYPE: 0x200,
  COMPRESSION_ZLIB_TYPE: 0x300,
} as const;

/** The two transaction-type bits. */
export const TRANSACTION_TYPE_MASK = 0xc;
/** Both host-family bits. */
export const HOST_V6_FLAGS_MASK = MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
/** The three compression-type bits (8–10). */
export const COMPRESSION_TYPE_MASK = 0x700;

export type TransactionType =
  | typeof MessageSysFlag.TRANSACTION_NOT_TYPE
  | typeof MessageSysFlag.TRANSACTION_PREPARED_TYPE
  | typeof MessageSysFlag.TRANSACTION_COMMIT_TYPE
  | typeof MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;

/** `MessageSysFlag.getTransactionValue`. */
export function transactionType(sysFlag: number): TransactionType {
  return (sysFlag & TRANSACTION_TYPE_MASK) as TransactionType;
}

/** `MessageSysFlag.resetTransactionValue`: the flag with its transaction type replaced. */
export function withTransactionType(sysFlag: number, type: TransactionType): number {
  return (sysFlag & ~TRANSACTION_TYPE_MASK) | type;
}

export function isBornHostV6(sysFlag: number): boolean {
  return (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0;
}

export function isStoreHostV6(sysFlag: number): boolean {
  return (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0;
}

/** The flag with both host-family bits set to describe the given hosts (true = IPv6). */
export function withHostFamilies(sysFlag: number, bornHostV6: boolean, storeHostV6: boolean): number {
  return (
    (sysFlag & ~HOST_V6_FLAGS_MASK) |
    (bornHostV6 ? MessageSysFlag.BORNHOST_V6_FLAG : 0) |
    (storeHostV6 ? MessageSysFlag.STOREHOSTADDRESS_V6_FLAG : 0)
  );
}
