// CRC-32 (IEEE 802.3, the zlib/java.util.zip.CRC32 polynomial). RocketMQ stores the body CRC masked
// to 31 bits (`UtilAll.crc32`), so a Java int holding it is never negative; the same masked value is
// the RegisterBroker `bodyCrc32`. Node >= 20.15 has a native zlib.crc32; the table version is kept for
// runtimes without it and as an independent check in tests.

import * as zlib from 'node:zlib';

type Crc32Function = (data: Uint8Array) => number;

const POLYNOMIAL = 0xedb88320; // reflected 0x04C11DB7

let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (table === undefined) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  return table;
}

/** Table-driven CRC-32 of `data` as an unsigned 32-bit number. */
export function crc32Portable(data: Uint8Array): number {
  const t = crcTable();
  let c = -1;
  for (let i = 0; i < data.length; i++) {
    // Both indexes are in range by construction; `?? 0` only satisfies noUncheckedIndexedAccess.
    c = (t[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ -1) >>> 0;
}

// Read once: whether this runtime has the native function does not change while it runs.
const nativeCrc32: Crc32Function | undefined =
  typeof zlib.crc32 === 'function' ? (data: Uint8Array) => zlib.crc32(data) : undefined;

/** True when {@link crc32} uses Node's native implementation. */
export const hasNativeCrc32 = nativeCrc32 !== undefined;

/** CRC-32 of `data` as an unsigned 32-bit number. */
export const crc32: Crc32Function = nativeCrc32 ?? crc32Portable;

/** The body CRC RocketMQ stores in a message record: CRC-32 & 0x7FFFFFFF. */
export function bodyCrc32(body: Uint8Array): number {
  return crc32(body) & 0x7fffffff;
}
