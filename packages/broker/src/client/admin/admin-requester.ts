// How the admin operations reach the cluster: requests to "a name server" (the first that
// answers), to every name server, or to one broker. A seam so the operations stay free of
// connection handling, and one place that turns error codes into BrokerResponseError.

import { isRetriable } from '../../common/errors';
import { createRequest, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import { BrokerResponseError } from '../client-errors';
import type { ClientInstance } from '../client-instance';

export interface AdminRequest {
  readonly code: number;
  readonly extFields?: ReadonlyMap<string, string>;
  readonly body?: Buffer;
}

export interface AddressedResponse {
  readonly address: string;
  readonly response: RemotingCommand;
}

export interface AdminRequester {
  readonly nameServers: readonly string[];
  /** The answer of the first name server that answers at all (whatever its code). */
  askNameServer(request: AdminRequest): Promise<AddressedResponse>;
  /** The answer of one broker or name server, whatever its code. */
  ask(address: string, request: AdminRequest): Promise<RemotingCommand>;
}

/** Throws BrokerResponseError unless the code is SUCCESS or one of `alsoAccepted`. */
export function expectCode(
  { address, response }: AddressedResponse,
  alsoAccepted: readonly number[] = [],
): RemotingCommand {
  if (response.code === ResponseCode.SUCCESS || alsoAccepted.includes(response.code)) return response;
  throw new BrokerResponseError(response.code, response.remark, address);
}

/** `ask` followed by `expectCode`. */
export async function askSuccess(
  requester: AdminRequester,
  address: string,
  request: AdminRequest,
  alsoAccepted: readonly number[] = [],
): Promise<RemotingCommand> {
  const response = await requester.ask(address, request);
  return expectCode({ address, response }, alsoAccepted);
}

export class ClientInstanceRequester implements AdminRequester {
  constructor(
    readonly instance: ClientInstance,
    readonly nameServers: readonly string[],
  ) {}

  async askNameServer(request: AdminRequest): Promise<AddressedResponse> {
    let lastError: unknown;
    for (const address of this.nameServers) {
      try {
        return { address, response: await this.ask(address, request) };
      } catch (error) {
        // Unreachable or slow: every name server holds the same routes, try the next one.
        if (!isRetriable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  ask(address: string, request: AdminRequest): Promise<RemotingCommand> {
    return this.instance.invoke(address, createRequest({ opaque: 0, ...request }));
  }
}
