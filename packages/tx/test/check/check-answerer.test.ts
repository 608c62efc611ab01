// How the runtime answers the broker's checks: the barrier's resolution mapped fail-closed to
// RocketMQ's states, and UNKNOW without asking the database for a half message Keel did not send
// or one too old for its barrier row to be trusted (it may have been purged).

import { createLogger, FakeClock } from '@keel/broker';
import type { TransactionalMessage } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import { CHECK_HORIZON_MARGIN_MS, checkAnswerer, stateOf } from '../../src/check/check-answerer';

const DAY_MS = 24 * 3_600_000;

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

  it('answers UNKNOW without asking the barrier for a half message older than the retention allows', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const logger = createLogger({ clock, component: 't', sink: (line) => lines.push(line) });
    let asked = 0;
    const counting = {
      createQueryRunner: () => {
        asked += 1;
        throw new Error('no database here');
      },
    } as unknown as DataSource;
    const retentionMs = 7 * DAY_MS;
    const answer = checkAnswerer(
      counting,
      { lockTimeoutMs: 100, clock, report: () => undefined },
      logger,
      retentionMs,
    );
    const bornAgo = (ms: number) =>
      ({
        msgId: 'M3',
        topic: 'orders',
        bornTimestamp: clock.now() - ms,
        properties: new Map([['KEEL_TX_ID', '3f1c5d3e-0000-4000-8000-000000000001']]),
      }) as unknown as TransactionalMessage;

    // Just inside the horizon: the barrier is asked (and fails here, so UNKNOW as well).
    expect(await answer(bornAgo(retentionMs - CHECK_HORIZON_MARGIN_MS))).toBe('UNKNOW');
    expect(asked).toBe(1);
    // Past it: the row may be gone, so no ROLLBACK can be trusted; the database is not asked.
    expect(await answer(bornAgo(retentionMs - CHECK_HORIZON_MARGIN_MS + 1))).toBe('UNKNOW');
    expect(asked).toBe(1);
    expect(lines).toEqual([expect.stringContaining('its barrier row may have been purged')]);
  });
});
