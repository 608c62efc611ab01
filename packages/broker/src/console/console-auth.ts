// Who may use the console. On loopback (the default) anyone on the machine may, as with every local
// tool; on any other address the operator must give a bearer token or basic-auth credentials, and
// the console refuses to start without them. Credentials are compared in constant time.
//
// Basic auth guards the whole site (the browser asks for the password on the first page). A token
// guards the API only: the page must load to ask for the token, and it holds no data.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError, type ConfigProblem } from '../common/errors';

export type ConsoleAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string };

export const BASIC_REALM = 'Keel console';
/** A guessable secret on a network port is no protection. */
export const MIN_SECRET_LENGTH = 8;

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Throws ConfigError when the console would be open to the network without credentials. */
export function checkExposure(bindAddress: string, auth: ConsoleAuth): void {
  const problems: ConfigProblem[] = [];
  if (auth.kind === 'none' && !isLoopbackHost(bindAddress)) {
    problems.push({
      kind: 'rule',
      key: 'bind',
      message:
        `${bindAddress} exposes the console (which can delete topics and resend messages) to the network; ` +
        'give --token <secret> or --user <name> --password <secret>, or bind 127.0.0.1',
    });
  }
  if (auth.kind === 'token' && auth.token.length < MIN_SECRET_LENGTH)
    problems.push({
      kind: 'invalid-value',
      key: 'token',
      message: `is shorter than ${MIN_SECRET_LENGTH} characters; use a longer secret`,
    });
  if (auth.kind === 'basic' && (auth.user === '' || auth.user.includes(':')))
    problems.push({ kind: 'invalid-value', key: 'user', message: 'must be a non-empty name without ":"' });
  if (auth.kind === 'basic' && auth.password.length < MIN_SECRET_LENGTH)
    problems.push({
      kind: 'invalid-value',
      key: 'password',
      message: `is shorter than ${MIN_SECRET_LENGTH} characters; use a longer secret`,
    });
  if (problems.length > 0) throw new ConfigError(problems, { subject: 'console' });
}

/** Whether the request's Authorization header satisfies `auth`. */
export function isAuthorized(auth: ConsoleAuth, authorization: string | undefined): boolean {
  switch (auth.kind) {
    case 'none':
      return true;
    case 'token':
      return authorization !== undefined && sameSecret(authorization, `Bearer ${auth.token}`);
    case 'basic': {
      const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
      return authorization !== undefined && sameSecret(authorization.trim(), expected);
    }
  }
}

/** Constant-time comparison, also of the lengths (both sides are hashed to equal-sized digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
