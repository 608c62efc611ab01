// The logical remoting command (`RemotingCommand.java`): what both header serialisations and the
// frame codec carry. Commands are immutable values; `body` is never copied by the decoder, so it
// may share memory with the chunk it arrived in.

import { LanguageName } from './language-code';
import { SerializeTypeName } from './serialize-type';

/** Bits of the header's `flag` int. */
export const RemotingFlag = {
  /** Set on responses; requests have it clear. */
  RESPONSE: 0x1,
  /** Set on requests that get no response, not even on error. */
  ONEWAY: 0x2,
} as const;

/**
 * `MQVersion.Version.V4_9_8.ordinal()`: Keel presents itself as a 4.9.8 broker, because clients
 * store the broker's version from heartbeats and brokers gate features on the client's.
 */
export const KEEL_REMOTING_VERSION = 409;
/** Java clients tolerate any language; JAVA is what every 4.x broker sends. */
export const KEEL_LANGUAGE: LanguageName = 'JAVA';

export interface RemotingCommand {
  /** Request code, or response code when the RESPONSE flag is set. */
  readonly code: number;
  readonly language: LanguageName;
  /** The sender's `MQVersion` ordinal. */
  readonly version: number;
  /** Request id; a response carries its request's unchanged. */
  readonly opaque: number;
  readonly flag: number;
  /** Human text, the error message in responses. Binary headers cannot tell '' from absent. */
  readonly remark: string | undefined;
  /** The flattened custom header; empty when the frame had none. */
  readonly extFields: ReadonlyMap<string, string>;
  /** Empty when the frame had no body. */
  readonly body: Buffer;
  /** The header serialisation this command arrived in or will be sent in. */
  readonly serializeType: SerializeTypeName;
}

/** Everything of a command except its body and serialisation: what a header codec carries. */
export type RemotingHeader = Omit<RemotingCommand, 'body' | 'serializeType'>;

export interface RemotingRequestInit {
  readonly code: number;
  readonly opaque: number;
  readonly oneway?: boolean;
  readonly remark?: string;
  readonly extFields?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly serializeType?: SerializeTypeName;
  readonly language?: LanguageName;
  readonly version?: number;
}

const EMPTY_BODY = Buffer.alloc(0);

export function toExtFields(
  fields: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined,
): ReadonlyMap<string, string> {
  if (fields === undefined) return new Map();
  // A Map, not a plain object, so that a key such as `__proto__` from the network is just a key.
  return fields instanceof Map ? new Map(fields) : new Map(Object.entries(fields));
}

export function createRequest(init: RemotingRequestInit): RemotingCommand {
  return {
    code: init.code,
    language: init.language ?? KEEL_LANGUAGE,
    version: init.version ?? KEEL_REMOTING_VERSION,
    opaque: init.opaque,
    flag: init.oneway === true ? RemotingFlag.ONEWAY : 0,
    remark: init.remark,
    extFields: toExtFields(init.extFields),
    body: init.body ?? EMPTY_BODY,
    serializeType: init.serializeType ?? 'JSON',
  };
}

export interface RemotingResponseInit {
  readonly extFields?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/**
 * The response to `request`: same opaque and serialisation (Java answers in the request's type),
 * only the RESPONSE flag set (Java builds a fresh command, so a request's ONEWAY bit is not copied).
 */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  init: RemotingResponseInit = {},
): RemotingCommand {
  return {
    code,
    language: KEEL_LANGUAGE,
    version: KEEL_REMOTING_VERSION,
    opaque: request.opaque,
    flag: RemotingFlag.RESPONSE,
    remark,
    extFields: toExtFields(init.extFields),
    body: init.body ?? EMPTY_BODY,
    serializeType: request.serializeType,
  };
}

export function isResponse(command: Pick<RemotingCommand, 'flag'>): boolean {
  return (command.flag & RemotingFlag.RESPONSE) !== 0;
}

export function isOneway(command: Pick<RemotingCommand, 'flag'>): boolean {
  return (command.flag & RemotingFlag.ONEWAY) !== 0;
}
