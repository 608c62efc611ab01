// Route matching of the console's API.

import { matchRoute, type ApiRoute } from '../../src/console/api-route';

const handle = async () => ({});
const routes: ApiRoute[] = [
  { method: 'GET', pattern: '/api/topics', handle },
  { method: 'POST', pattern: '/api/topics', handle },
  { method: 'GET', pattern: '/api/topics/:topic', handle },
  { method: 'DELETE', pattern: '/api/topics/:topic', handle },
];

describe('matchRoute', () => {
  it('decodes parameters, so %RETRY% and %DLQ% topics travel encoded', () => {
    expect(matchRoute(routes, 'GET', '/api/topics/%25RETRY%25billing')).toMatchObject({
      kind: 'found',
      params: { topic: '%RETRY%billing' },
    });
  });

  it('tells a wrong method from a missing path', () => {
    expect(matchRoute(routes, 'PUT', '/api/topics/x')).toEqual({
      kind: 'method',
      allowed: ['GET', 'DELETE'],
    });
    expect(matchRoute(routes, 'GET', '/api/topics/x/y')).toEqual({ kind: 'none' });
    expect(matchRoute(routes, 'GET', '/api/topic')).toEqual({ kind: 'none' });
  });

  it('matches no route for an empty or malformed parameter', () => {
    expect(matchRoute(routes, 'GET', '/api/topics/')).toEqual({ kind: 'none' });
    expect(matchRoute(routes, 'GET', '/api/topics/%zz')).toEqual({ kind: 'none' });
  });
});
