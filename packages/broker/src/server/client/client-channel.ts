import type { LanguageName } from '../../protocol/remoting/language-code';
import type { RemotingCommand } from '../../protocol/remoting/remoting-command';

/**
 * One client connection as the managers see it. The broker's connection class implements exactly
 * these members; the managers never close a connection themselves (they return the ones to close).
 */
export interface ClientChannel {
  /** Unique per connection for the broker's lifetime. */
  readonly id: number;
  /** `ip:port` of the peer. */
  readonly remoteAddress: string;
  /** Sends a request that gets no response (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE). */
  sendOneway(command: RemotingCommand): void;
}

/** Who is behind a channel, from the heartbeat (clientID) and its request header (language, version). */
export interface ClientIdentity {
  readonly channel: ClientChannel;
  readonly clientId: string;
  readonly language: LanguageName;
  /** The client's MQVersion ordinal. */
  readonly version: number;
}

/** One entry of GET_CONSUMER_CONNECTION_LIST / GET_PRODUCER_CONNECTION_LIST's connectionSet. */
export interface ClientConnectionInfo {
  readonly clientId: string;
  readonly clientAddr: string;
  readonly language: LanguageName;
  readonly version: number;
}

/** A registered channel: its identity and when it last sent a heartbeat. */
export interface ClientChannelInfo extends ClientIdentity {
  readonly lastUpdate: number;
}

/** BrokerConfig's clientChannelMaxIdleTimeSeconds (120 s): silent longer than this means gone. */
export const DEFAULT_CLIENT_CHANNEL_MAX_IDLE_MS = 120_000;

export function connectionInfoOf(info: ClientChannelInfo): ClientConnectionInfo {
  return {
    clientId: info.clientId,
    clientAddr: info.channel.remoteAddress,
    language: info.language,
    version: info.version,
  };
}
