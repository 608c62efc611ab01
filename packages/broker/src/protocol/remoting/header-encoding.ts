// A header measured before it is written, so that the frame encoder can allocate the whole frame
// once and have each serialisation write its header in place.

export interface HeaderEncoding {
  readonly byteLength: number;
  writeTo(target: Buffer, offset: number): void;
}
