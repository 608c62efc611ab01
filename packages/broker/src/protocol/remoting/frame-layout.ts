// A remoting frame on the TCP stream (no delimiter between frames; big-endian):
//
//   +-----------+------------------------------+----------------+------------------+
//   | length    | type << 24 | headerLength    | header         | body             |
//   | i32       | u8   | u24                   | headerLength   | length-4-headerL |
//   +-----------+------------------------------+----------------+------------------+
//   length counts everything after itself: 4 + headerLength + bodyLength.

export const LENGTH_PREFIX_BYTES = 4;
export const HEADER_LENGTH_WORD_BYTES = 4;
/** The 24 low bits of the header-length word. */
export const MAX_HEADER_LENGTH_BYTES = 0xffffff;
/**
 * Netty's `LengthFieldBasedFrameDecoder(16 MiB, 0, 4, 0, 4)` in NettyDecoder: the limit counts the
 * whole frame including its 4-byte length prefix.
 */
export const DEFAULT_MAX_FRAME_LENGTH_BYTES = 16 * 1024 * 1024;
