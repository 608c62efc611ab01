import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { systemClock } from '../../src/common/clock';
import { decodeStoredMessage } from '../../src/protocol/message/stored-message-decoder';
import { NodeDisk } from '../../src/store/disk/node-disk';
import { defaultStoreConfig } from '../../src/store/message-store-config';
import { MessageStore } from '../../src/store/message-store';

// Plain JS helpers shared with the child process (which runs the built store).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TOPIC, CRASH_STORE_SETTINGS, crashTestBody } = require('./crash/crash-message.js') as {
  TOPIC: string;
  CRASH_STORE_SETTINGS: Parameters<typeof defaultStoreConfig>[1];
  crashTestBody: (n: number) => Buffer;
};

const ROUNDS = Number(process.env.KEEL_CRASH_ROUNDS ?? 20);
const CHILD = join(__dirname, 'crash', 'append-child.js');

interface Ack {
  readonly n: number;
  readonly queueId: number;
  readonly queueOffset: number;
}

/** Runs the child until it has acknowledged some puts, SIGKILLs it at a random moment, returns its acks. */
async function runAndKill(dir: string, first: number): Promise<Ack[]> {
  const child = spawn(process.execPath, [CHILD, dir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: Ack[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killAfterAcks = 50 + Math.floor(Math.random() * 2000);
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const [kind, n, queueId, queueOffset] = line.split(' ');
    if (kind !== 'ack') return;
    acks.push({ n: Number(n), queueId: Number(queueId), queueOffset: Number(queueOffset) });
    if (acks.length === killAfterAcks) child.kill('SIGKILL');
  });
  // 'close' comes after the process exited and its stdout was read to the end: every ack is in.
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  if (acks.length < killAfterAcks) throw new Error(`child exited before it was killed: ${stderr}`);
  return acks;
}

describe('store crash safety (SIGKILL of a SYNC_FLUSH writer)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged message over ${ROUNDS} kill rounds, and queues agree with the log`, async () => {
    const acknowledged = new Map<number, Ack>();
    let next = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const acks = await runAndKill(dir, next);
      for (const ack of acks) acknowledged.set(ack.n, ack);
      next += 1_000_000;

      const store = await MessageStore.open({
        disk: new NodeDisk(),
        clock: systemClock,
        config: defaultStoreConfig(dir, CRASH_STORE_SETTINGS),
      });
      expect(store.recovery.kind).toBe('crash');
      const seen = new Map<string, number>();
      const damaged: string[] = [];
      for (let queueId = 0; queueId < 4; queueId++) {
        let offset = store.minOffsetInQueue(TOPIC, queueId);
        for (;;) {
          const got = await store.getMessage(TOPIC, queueId, offset, { maxMessages: 256, maxBytes: 4 << 20 });
          if (got.status !== 'FOUND') break;
          for (const record of got.records) {
            const decoded = decodeStoredMessage(record, 0, { checkCrc: true });
            if (decoded.kind !== 'message')
              throw new Error(`queue ${queueId} points at a ${decoded.kind} record`);
            const { message } = decoded;
            const n = Number(/^m(\d+):/.exec(message.body?.toString() ?? '')?.[1]);
            // Collect and assert once: Jest's deep equality on thousands of buffers is very slow.
            const intact =
              message.topic === TOPIC &&
              message.queueId === queueId &&
              message.body?.equals(crashTestBody(n));
            if (intact !== true) damaged.push(`${queueId}:${message.queueOffset} (message ${n})`);
            seen.set(`${queueId}:${message.queueOffset}`, n);
          }
          offset = got.nextBeginOffset;
        }
      }
      const lost = [...acknowledged.values()].filter(
        (ack) => seen.get(`${ack.queueId}:${ack.queueOffset}`) !== ack.n,
      );
      expect(damaged).toEqual([]);
      expect(lost).toEqual([]);
      expect(acknowledged.size).toBeGreaterThan(0);
      await store.close();
    }
  }, 600_000);
});
