// Which function answers which request code. A server owns one table; the broker's VIP listener
// shares the main table minus PULL_MESSAGE (so long polls never occupy it), which `without` makes.

import type { RemotingCommand } from '../protocol/remoting/remoting-command';
import type { RemotingConnection } from './remoting-connection';

export interface RequestContext {
  readonly connection: RemotingConnection;
  /** When the request's frame was decoded, on the server's clock. */
  readonly receivedAtMs: number;
  /**
   * Sends a response outside the processor's return value. The response must carry the request's
   * opaque (build it with `createResponse(request, …)`); nothing is sent for oneway requests or
   * closed connections. Prefer returning a promise that settles with the answer (as the held
   * long poll does): the server counts it as a request in progress, so a graceful close waits
   * for it, which it cannot do for an answer sent through here.
   */
  respondLater(response: RemotingCommand): void;
}

/**
 * Answers a request: with a response, or a promise of one (which may stay pending, as a held long
 * poll does). `undefined` means no response (the request needed none, or it went through
 * `respondLater`). A throw or rejection becomes a SYSTEM_ERROR response whose remark is the
 * error's message.
 */
export type RequestProcessor = (
  request: RemotingCommand,
  context: RequestContext,
) => RemotingCommand | undefined | Promise<RemotingCommand | undefined>;

export class ProcessorTable {
  readonly #byCode = new Map<number, RequestProcessor>();
  readonly #base: ProcessorTable | undefined;
  readonly #excluded: ReadonlySet<number>;

  constructor(base?: ProcessorTable, excluded: readonly number[] = []) {
    this.#base = base;
    this.#excluded = new Set(excluded);
  }

  register(code: number, processor: RequestProcessor): this {
    this.#byCode.set(code, processor);
    return this;
  }

  get(code: number): RequestProcessor | undefined {
    if (this.#excluded.has(code)) return undefined;
    return this.#byCode.get(code) ?? this.#base?.get(code);
  }

  codes(): number[] {
    const all = new Set([...this.#byCode.keys(), ...(this.#base?.codes() ?? [])]);
    return [...all].filter((code) => !this.#excluded.has(code)).sort((a, b) => a - b);
  }

  /** A live view of this table without the given codes: later registrations show through. */
  without(...codes: readonly number[]): ProcessorTable {
    return new ProcessorTable(this, codes);
  }
}
