// The test kit itself: the in-process broker survives a restart with its data (a message published
// before is delivered, one published after too), awaitDelivery times out with a typed error, drain
// waits for handlers that are still running, and a broker that fails to start leaves nothing behind.

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import { KeelRuntime, OnMessage, publish, runInTransaction, type Delivered } from '@keel/tx';
import {
  awaitDelivery,
  drain,
  recordDeliveries,
  startTestBroker,
  testRuntimeTuning,
  type TestBroker,
} from '@keel/tx/testing';
import type { DataSource } from 'typeorm';
import { openTxDataSource, rejectionOf } from '../tx-fixtures';
import { captureLog } from '../runtime/runtime-fixtures';

const suffix = randomUUID().slice(0, 8);
const topic = `kit-${suffix}`;

class Slow {
  readonly seen: string[] = [];
  release: () => void = () => undefined;

  @OnMessage({ topic, group: `kit-${suffix}` })
  async handle(message: Delivered<string>): Promise<void> {
    if (message.body === 'slow') await new Promise<void>((resolve) => (this.release = resolve));
    this.seen.push(message.body);
  }
}

describeWithDatabase('the @keel/tx test kit', { needs: 'concurrency' }, (db) => {
  let dataSource: DataSource;
  let broker: TestBroker;
  let runtime: KeelRuntime | undefined;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db(), 8);
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await runtime?.shutdown();
    await broker?.stop();
    await dataSource?.destroy();
  });

  const send = (body: string) => runInTransaction(dataSource, async () => publish(topic, body));

  it('keeps delivering across a broker restart, and drain waits for running handlers', async () => {
    const slow = new Slow();
    runtime = await KeelRuntime.start({
      ...testRuntimeTuning,
      dataSource,
      nameServer: broker.nameServer,
      producerGroup: `kit-${suffix}`,
      handlers: [slow],
      logger: captureLog().logger,
    });
    const recorder = recordDeliveries(runtime);
    await send('before');
    await recorder.waitFor((event) => event.outcome === 'handled');
    await broker.restart();
    await send('after');
    await recorder.waitFor((event) => event.outcome === 'handled', 2, 20_000);
    expect(slow.seen).toEqual(['before', 'after']);

    const started = new Promise((resolve) => runtime!.events.once('deliveryStarted', resolve));
    await send('slow');
    await started;
    let drained = false;
    const draining = drain(runtime, { quietMs: 50 }).then(() => (drained = true));
    // A real wait on purpose: drain must still be waiting after four quiet periods.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(drained).toBe(false);
    slow.release();
    await draining;
    expect(slow.seen).toEqual(['before', 'after', 'slow']);
  }, 60_000);

  it('awaitDelivery rejects with a TimeoutError when nothing matches', async () => {
    const caught = await rejectionOf(awaitDelivery(runtime!, (event) => event.msgId === 'never', 50));
    expect(caught).toBeInstanceOf(TimeoutError);
    expect((caught as Error).message).toMatch(/awaitDelivery: no matching delivery timed out after 50 ms/);
  });

  it('startTestBroker cleans up when the broker cannot start, and throws its error', async () => {
    // The broker's port is taken, so Broker.start fails after the name server started.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    const scratch = mkdtempSync(join(tmpdir(), 'keel-kit-cleanup-'));
    const previousTmp = process.env['TMPDIR'];
    const servers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
    const serversBefore = servers();
    try {
      // The broker's temporary directory goes under `scratch`, where nothing else writes.
      process.env['TMPDIR'] = scratch;
      const caught = await rejectionOf(startTestBroker({ broker: { listenPort: port } }));
      expect((caught as Error).message).toMatch(new RegExp(`broker cannot listen on port ${port}`));
      expect(((caught as Error).cause as { code?: unknown }).code).toBe('EADDRINUSE');
      expect(readdirSync(scratch)).toEqual([]);
      // The name server's listening handle is released asynchronously after close().
      await waitFor(() => servers() === serversBefore, {
        timeoutMs: 5_000,
        description: 'the name server to be closed',
      });
    } finally {
      if (previousTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previousTmp;
      rmSync(scratch, { recursive: true, force: true });
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
