// Helpers for the console's tests without a browser: an admin client whose every call fails unless
// the test gives it an answer, a directory holding a stand-in front end, and a console server on a
// free loopback port with a small fetch wrapper.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/common/fake-clock';
import { createLogger, type Logger } from '../../src/common/logger';
import type { ClusterInfo } from '../../src/protocol/bodies/cluster-info';
import type { ConsoleAdmin } from '../../src/console/console-admin';
import type { ConsoleAuth } from '../../src/console/console-auth';
import { ConsoleServer } from '../../src/console/console-server';

/** `overrides` answer; any other call rejects, naming the method, so a test sees what it missed. */
export function fakeAdmin(overrides: Partial<ConsoleAdmin> = {}): ConsoleAdmin {
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected admin call ${name}`));
  const names = [
    'clusterInfo',
    'clusterList',
    'topicList',
    'topicRoute',
    'topicStatus',
    'createOrUpdateTopic',
    'deleteTopic',
    'sendMessage',
    'consumerProgress',
    'consumerMembers',
    'resetOffsetByTime',
    'consumeMessage',
    'queryMsgByKey',
    'queryMsgById',
    'dlqList',
    'dlqResend',
    'txList',
    'txCommit',
    'txRollback',
  ] as const;
  const fallback = Object.fromEntries(names.map((name) => [name, unexpected(name)]));
  return { nameServers: ['127.0.0.1:9876'], ...fallback, ...overrides } as ConsoleAdmin;
}

/** One cluster per entry, each broker a master at 127.0.0.1:<10911 + n>. */
export function clusterInfoOf(
  clusters: Readonly<Record<string, readonly string[]>> = { DefaultCluster: ['broker-a'] },
): ClusterInfo {
  let port = 10911;
  const brokerAddrTable = new Map(
    Object.entries(clusters).flatMap(([cluster, brokers]) =>
      brokers.map(
        (brokerName) =>
          [brokerName, { cluster, brokerName, brokerAddrs: new Map([[0, `127.0.0.1:${port++}`]]) }] as const,
      ),
    ),
  );
  return { brokerAddrTable, clusterAddrTable: new Map(Object.entries(clusters)) };
}

export interface AssetsDir {
  readonly dir: string;
  remove(): void;
}

/** index.html and one hashed file, as Vite lays them out. */
export function stubAssets(): AssetsDir {
  const dir = mkdtempSync(join(tmpdir(), 'keel-console-assets-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>stub console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("stub")');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningConsole {
  readonly server: ConsoleServer;
  readonly url: string;
  readonly logged: string[];
  /** fetch relative to the console, with JSON bodies encoded. */
  request(
    path: string,
    init?: { method?: string; json?: unknown; headers?: Record<string, string>; body?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startConsole(
  admin: ConsoleAdmin,
  options: { readonly auth?: ConsoleAuth; readonly assets: AssetsDir },
): Promise<RunningConsole> {
  const logged: string[] = [];
  const clock = new FakeClock();
  const log: Logger = createLogger({ clock, component: 'console', sink: (line) => logged.push(line) });
  const server = await ConsoleServer.start({
    admin,
    port: 0,
    bindAddress: '127.0.0.1',
    auth: options.auth ?? { kind: 'none' },
    assetsDir: options.assets.dir,
    clock,
    log,
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    server,
    url,
    logged,
    request(path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      let body = init.body;
      if (init.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(init.json);
      }
      return fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...(body === undefined ? {} : { body }),
      });
    },
    close: () => server.close(),
  };
}

export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const json = (await response.json()) as { error: { code: string; message: string } };
  return json.error;
}
