// How the runtime answers the broker's checks: the barrier's resolution mapped fail-closed to
// RocketMQ's states, and UNKNOW without asking the database for a half message Keel did not send.

import { createLogger, FakeClock } from '@keel/broker';
import type { TransactionalMessage } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import { checkAnswerer, stateOf } from '../../src/check/check-answerer';

describe('check answers', () => {
  it('maps COMMIT, ROLLBACK and everything else fail-closed', () => {
    expect(stateOf('COMMIT')).toBe('COMMIT_MESSAGE');
    expect(stateOf('ROLLBACK')).toBe('ROLLBACK_MESSAGE');
    expect(stateOf('UNKNOWN')).toBe('UNKNOW');
    expect(stateOf('commit' as never)).toBe('UNKNOW');
  });

  it('answers UNKNOW, logged, for a half message without KEEL_TX_ID, without touching the database', async () => {
    const lines: string[] = [];
    const logger = createLogger({ clock: new FakeClock(), component: 't', sink: (line) => lines.push(line) });
    const untouchable = {
      createQueryRunner: () => {
        throw new Error('the database must not be asked');
      },
    } as unknown as DataSource;
    const answer = checkAnswerer(untouchable, { lockTimeoutMs: 100 }, logger);
    const message = {
      msgId: 'M1',
      topic: 'orders',
      properties: new Map(),
    } as unknown as TransactionalMessage;
    expect(await answer(message)).toBe('UNKNOW');
    expect(lines).toEqual([expect.stringContaining('without KEEL_TX_ID: not sent by Keel; answered UNKNOW')]);
  });

  it('answers UNKNOW, never COMMIT, when the database fails', async () => {
    const broken = {
      createQueryRunner: () => {
        throw new Error('connection refused');
      },
    } as unknown as DataSource;
    const answer = checkAnswerer(
      broken,
      { lockTimeoutMs: 100, report: () => undefined },
      createLogger({ clock: new FakeClock(), component: 't', sink: () => undefined }),
    );
    const message = {
      msgId: 'M2',
      topic: 'orders',
      properties: new Map([['KEEL_TX_ID', '3f1c5d3e-0000-4000-8000-000000000000']]),
    } as unknown as TransactionalMessage;
    expect(await answer(message)).toBe('UNKNOW');
  });
});
