// Who may use the console: loopback names, and the credentials check.

import { isAuthorized, isLoopbackHost } from '../../src/console/console-auth';

describe('console auth', () => {
  it('knows loopback addresses and names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'localhost.evil.example', '127.0.0.1.nip.io'])
      expect(isLoopbackHost(host)).toBe(false);
  });

  it('accepts exactly the token, and exactly the basic credentials', () => {
    const token = { kind: 'token', token: 's3cret-token' } as const;
    expect(isAuthorized(token, 'Bearer s3cret-token')).toBe(true);
    expect(isAuthorized(token, 'Bearer s3cret-toke')).toBe(false);
    expect(isAuthorized(token, 's3cret-token')).toBe(false);
    expect(isAuthorized(token, undefined)).toBe(false);
    const basic = { kind: 'basic', user: 'ops', password: 'pass:word' } as const;
    expect(isAuthorized(basic, `Basic ${Buffer.from('ops:pass:word').toString('base64')}`)).toBe(true);
    expect(isAuthorized(basic, `Basic ${Buffer.from('ops:pass').toString('base64')}`)).toBe(false);
    expect(isAuthorized({ kind: 'none' }, undefined)).toBe(true);
  });
});
