// Reading an API request's parameters: path parameters, the query string and a JSON body, each
// checked against what the handler needs. A wrong value is a ConsoleError (400) whose message names
// the parameter, what was given and what is expected, so the UI can show it as is.

import { ConsoleError, ConsoleErrorCodes } from './console-errors';

/** A JSON request body (an object; every API body is one). */
export type JsonBody = Readonly<Record<string, unknown>>;

export class RequestInput {
  readonly #params: Readonly<Record<string, string>>;
  readonly #query: URLSearchParams;
  readonly #body: JsonBody;

  constructor(params: Readonly<Record<string, string>>, query: URLSearchParams, body: JsonBody = {}) {
    this.#params = params;
    this.#query = query;
    this.#body = body;
  }

  /** A path parameter (`/api/topics/:topic`), already URL-decoded by the router. */
  param(name: string): string {
    const value = this.#params[name];
    if (value === undefined || value.trim() === '') throw badRequest(`${name} is missing from the path`);
    return value;
  }

  queryString(name: string): string | undefined {
    const value = this.#query.get(name);
    return value === null || value.trim() === '' ? undefined : value.trim();
  }

  requiredQueryString(name: string): string {
    const value = this.queryString(name);
    if (value === undefined) throw badRequest(`query parameter ${name} is required`);
    return value;
  }

  /** An integer query parameter within [min, max]; undefined when absent. */
  queryInt(name: string, range: IntRange): number | undefined {
    const text = this.queryString(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text))
      throw badRequest(`query parameter ${name} must be an integer, got ${JSON.stringify(text)}`);
    return checkRange(`query parameter ${name}`, Number(text), range);
  }

  bodyString(name: string): string | undefined {
    const value = this.#body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw badRequest(`${name} must be a string, got ${describe(value)}`);
    return value.trim() === '' ? undefined : value;
  }

  requiredBodyString(name: string): string {
    const value = this.bodyString(name);
    if (value === undefined) throw badRequest(`${name} is required in the request body`);
    return value;
  }

  /** An integer body field within [min, max]; undefined when absent. */
  bodyInt(name: string, range: IntRange): number | undefined {
    const value = this.#body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw badRequest(`${name} must be an integer, got ${describe(value)}`);
    return checkRange(name, value, range);
  }

  requiredBodyInt(name: string, range: IntRange): number {
    const value = this.bodyInt(name, range);
    if (value === undefined) throw badRequest(`${name} is required in the request body`);
    return value;
  }

  bodyBoolean(name: string): boolean | undefined {
    const value = this.#body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw badRequest(`${name} must be true or false, got ${describe(value)}`);
    return value;
  }

  /**
   * Destructive actions (delete a topic, reset offsets, resend all, commit or roll back) run only
   * with `"confirm": true` in the body: a script or a stray request cannot do them by accident.
   */
  requireConfirm(action: string): void {
    if (this.#body['confirm'] !== true) {
      throw new ConsoleError(
        ConsoleErrorCodes.CONFIRM_REQUIRED,
        `${action} cannot be undone; send "confirm": true in the request body to do it`,
      );
    }
  }
}

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

function checkRange(what: string, value: number, range: IntRange): number {
  if (value < range.min || value > range.max)
    throw badRequest(`${what} must be from ${range.min} to ${range.max}, got ${value}`);
  return value;
}

export function badRequest(message: string): ConsoleError {
  return new ConsoleError(ConsoleErrorCodes.BAD_REQUEST, message);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${JSON.stringify(value)} (${typeof value})`;
}
