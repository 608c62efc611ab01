// The console's API as a table of routes: method, path pattern (`/api/topics/:topic`) and handler.
// Matching is exact per segment; `:name` segments are URL-decoded, so names with `%` (retry and
// dead-letter topics) travel encoded.

import type { RequestInput } from './request-input';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ApiRoute {
  readonly method: HttpMethod;
  readonly pattern: string;
  /** Resolves with the JSON answer (status 200). */
  handle(input: RequestInput): Promise<unknown>;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: ApiRoute; readonly params: Readonly<Record<string, string>> }
  /** The path exists with other methods. */
  | { readonly kind: 'method'; readonly allowed: readonly HttpMethod[] }
  | { readonly kind: 'none' };

export function matchRoute(routes: readonly ApiRoute[], method: string, path: string): RouteMatch {
  const segments = path.split('/');
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern.split('/'), segments);
    if (params === undefined) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
}

function matchPattern(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? '';
    const actual = segments[i] ?? '';
    if (expected.startsWith(':')) {
      const decoded = decodeSegment(actual);
      if (decoded === undefined || decoded === '') return undefined;
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/** undefined for a malformed escape (`%zz`): such a path matches no route. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}
