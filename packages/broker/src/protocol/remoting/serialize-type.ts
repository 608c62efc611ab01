// How a frame's header is serialised: the high byte of the header-length word. A server answers in
// the type the request came in (`serializeTypeCurrentRPC`), so every command remembers its own.

export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const;

export type SerializeTypeName = keyof typeof SerializeType;

export function serializeTypeFromCode(code: number): SerializeTypeName | undefined {
  if (code === SerializeType.JSON) return 'JSON';
  if (code === SerializeType.ROCKETMQ) return 'ROCKETMQ';
  return undefined;
}
