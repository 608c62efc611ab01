// The console end to end in headless Chromium: a real name server and broker in this process, the
// console server on a free port serving the built front end, and an operator's tasks done through
// the pages: create a topic and send to it, watch a group's lag fall to zero, find a message by
// key and read it, resend a dead letter, commit a parked half message. Every page is photographed
// at 1280×800 (and the overview on a phone); with KEEL_UPDATE_SCREENSHOTS=1 the pictures replace
// docs/console/*.png.
//
// Needs the front end built (`npm run build`, or `npm run build -w @keel/console-ui`).

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

import { AdminClient } from '../../src/client/admin/admin-client';
import type { ConsumedMessage } from '../../src/client/consumer/consumed-message';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import type { Producer } from '../../src/client/producer/producer';
import { LocalTransactionState } from '../../src/client/transaction/local-transaction-state';
import { TransactionProducer } from '../../src/client/transaction/transaction-producer';
import { systemClock } from '../../src/common/clock';
import { silentLogger } from '../../src/common/logger';
import { ConsoleServer } from '../../src/console/console-server';
import { defaultConsoleAssetsDir } from '../../src/console/static-assets';
import { waitFor } from '../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client/client-cluster-fixture';
import {
  ClientsToClose,
  createTopic,
  fastConsumerOptions,
  nextInstanceName,
  startProducer,
} from '../client/integration/consumer-test-kit';
import { launchChromium, type LaunchedBrowser } from './headless-chromium';

const ORDERS = 'ConsoleOrders';
const PAYMENTS = 'ConsolePayments';
const TX_TOPIC = 'ConsoleTx';
const AUDIT_GROUP = 'audit-service';
const PAYMENT_GROUP = 'payment-service';
/** Retries (delay levels 3 and up) wait 1 s, so a message is dead after seconds. */
const DELAY_LEVELS = '1s 1s 1s 1s 1s 1s';
const UI_TIMEOUT_MS = 10_000;
const DOCS_DIR = join(__dirname, '..', '..', '..', '..', 'docs', 'console');
const UPDATE_DOCS = process.env['KEEL_UPDATE_SCREENSHOTS'] === '1';

describe('keel console in a browser', () => {
  let cluster: ClientTestCluster;
  let admin: AdminClient;
  let server: ConsoleServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let producer: Producer;
  let baseUrl: string;
  let shotsDir: string;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    if (!existsSync(join(defaultConsoleAssetsDir(), 'index.html')))
      throw new Error(
        `the console front end is not built in ${defaultConsoleAssetsDir()}: run 'npm run build' first`,
      );
    shotsDir = mkdtempSync(join(tmpdir(), 'keel-console-shots-'));
    cluster = await startClientCluster([]);
    await cluster.startBroker('broker-a', {
      messageDelayLevel: DELAY_LEVELS,
      transactionCheckMax: 1,
      transactionCheckInterval: 1000,
      transactionTimeOut: 1000,
    });
    for (const topic of [PAYMENTS, TX_TOPIC]) await createTopic(cluster, topic, 2);
    producer = await startProducer(cluster, 'console-e2e-pg');
    admin = new AdminClient({ nameServer: cluster.nameServer.address });
    server = await ConsoleServer.start({
      admin,
      port: 0,
      bindAddress: '127.0.0.1',
      auth: { kind: 'none' },
      assetsDir: defaultConsoleAssetsDir(),
      clock: systemClock,
      log: silentLogger,
      sampleIntervalMs: 1000,
    });
    baseUrl = `http://127.0.0.1:${server.port}/`;
    browser = await launchChromium({ width: 1280, height: 800 });
    page = await browser.context.newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await clients.closeAll();
    await producer?.shutdown();
    await admin?.close();
    await cluster?.stop();
    if (shotsDir !== undefined) rmSync(shotsDir, { recursive: true, force: true });
  });

  async function open(hash: string): Promise<void> {
    await page.goto(`${baseUrl}${hash}`);
  }

  /** Photographs the viewport; the docs' copy is replaced only when asked (KEEL_UPDATE_SCREENSHOTS=1). */
  async function screenshot(
    name: string,
    options: { target?: Page; fullPage?: boolean } = {},
  ): Promise<void> {
    const path = join(shotsDir, `${name}.png`);
    await (options.target ?? page).screenshot({ path, fullPage: options.fullPage ?? false });
    if (UPDATE_DOCS) {
      mkdirSync(DOCS_DIR, { recursive: true });
      copyFileSync(path, join(DOCS_DIR, `${name}.png`));
    }
  }

  /** Clicks the page's Refresh button until `read` returns what `done` accepts. */
  async function refreshUntil(read: () => Promise<string>, done: (text: string) => boolean, what: string) {
    return waitFor(
      async () => {
        await page.locator('[data-refresh]').first().click();
        await page.locator('[data-refresh]:not([disabled])').first().waitFor();
        const text = await read();
        return done(text) ? text : undefined;
      },
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 250, description: what },
    );
  }

  async function noHorizontalScroll(target: Page): Promise<boolean> {
    // A string, not a function: the tests are compiled without the DOM's types.
    return target.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  }

  it('creates a topic and sends a test message to it', async () => {
    await open('#/topics');
    const form = page.locator('[data-create-topic]');
    await form.locator('input[name=topic]').fill(ORDERS);
    await form.locator('input[name=queues]').fill('2');
    await form.locator('button[type=submit]').click();
    await page.locator('[role=status]', { hasText: `Topic ${ORDERS} created` }).waitFor();
    await page.locator('[data-topics] a', { hasText: ORDERS }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot('topics');

    await page.locator('[data-topics] a', { hasText: ORDERS }).click();
    await page.locator('[data-route] td', { hasText: 'broker-a' }).first().waitFor();
    expect(await page.locator('[data-queues] tbody tr').count()).toBe(2);
    const send = page.locator('[data-send-message]');
    await send.locator('input[name=keys]').fill('order-1001');
    await send.locator('input[name=tags]').fill('TagA');
    await send.locator('textarea[name=body]').fill('{"orderId":1001,"amount":42.5}');
    await send.locator('button[type=submit]').click();
    await expect(page.locator('[data-sent]').innerText()).resolves.toMatch(
      /^SEND_OK: msgId [0-9A-F]{32} on broker-a queue \d at offset 0$/,
    );
    await screenshot('topic-detail');
  });

  it("shows a consumer group's members and its lag falling to zero", async () => {
    const received: ConsumedMessage[] = [];
    const startAudit = async () => {
      const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, AUDIT_GROUP)));
      consumer.subscribe(ORDERS, '*');
      consumer.onMessages((messages) => {
        received.push(...messages);
        return 'CONSUME_SUCCESS';
      });
      await consumer.start();
      return consumer;
    };
    const first = await startAudit();
    await waitFor(() => received.length >= 1, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the first order consumed',
    });
    // Offsets are committed every 200 ms, and at shutdown.
    await first.shutdown();
    for (let i = 0; i < 3; i++)
      await producer.send({ topic: ORDERS, body: `audit me ${i}`, keys: [`order-${2000 + i}`] });

    await open('#/groups');
    const lagCell = page.locator(`[data-groups] tr[data-group="${AUDIT_GROUP}"] [data-lag]`);
    await refreshUntil(
      async () => (await lagCell.textContent()) ?? '',
      (text) => text.trim() === '3',
      'lag 3',
    );

    await startAudit();
    await page.locator(`[data-groups] a`, { hasText: AUDIT_GROUP }).click();
    await page.locator('[data-members] tbody tr').first().waitFor();
    const member = await page.locator('[data-members] tbody tr').first().textContent();
    expect(member).toMatch(/127\.0\.0\.1:\d+/);
    const totalLag = page.locator('[data-total-lag]');
    await refreshUntil(
      async () => (await totalLag.textContent()) ?? '',
      (text) => text.trim() === '0',
      'lag 0',
    );
    await screenshot('group-detail');
    await open('#/groups');
    await refreshUntil(
      async () => (await lagCell.textContent()) ?? '',
      (text) => text.trim() === '0',
      'lag 0 in list',
    );
    await screenshot('groups');
  });

  it('finds a message by key and shows its properties, body and consumption', async () => {
    await open('#/messages');
    const form = page.locator('[data-search-key]');
    await form.locator('input[name=topic]').fill(ORDERS);
    await form.locator('input[name=key]').fill('order-1001');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-results] tbody tr').first().waitFor();
    expect(await page.locator('[data-results] tbody tr').count()).toBe(1);
    await screenshot('messages');

    await page.locator('[data-results] tbody a').first().click();
    const detail = page.locator('[data-message-detail]');
    await detail.waitFor();
    await expect(page.locator('[data-properties]').textContent()).resolves.toContain('order-1001');
    await expect(page.locator('[data-body]').textContent()).resolves.toBe('{"orderId":1001,"amount":42.5}');
    await page.locator('[data-body-mode=json]').click();
    await expect(page.locator('[data-body]').textContent()).resolves.toContain('"orderId": 1001');
    await screenshot('message-detail', { fullPage: true });
    await page.locator('[data-body-mode=hex]').click();
    await expect(page.locator('[data-body]').textContent()).resolves.toMatch(/^00000000 {2}7b 22 6f 72/);
    const consumption = await page.locator('[data-consumption] tbody').textContent();
    expect(consumption).toContain(AUDIT_GROUP);
    expect(consumption).toContain('consumed');
    expect(consumption).not.toContain('not consumed');
  });

  it('resends a dead letter from the console, and the group then consumes it', async () => {
    let failing = true;
    const succeeded: ConsumedMessage[] = [];
    const consumer = clients.track(
      new PushConsumer({ ...fastConsumerOptions(cluster, PAYMENT_GROUP), maxReconsumeTimes: 1 }),
    );
    consumer.subscribe(PAYMENTS, '*');
    consumer.onMessages((messages) => {
      if (failing) return 'RECONSUME_LATER';
      succeeded.push(...messages);
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    const sent = await producer.send({ topic: PAYMENTS, body: '{"payment":7}', keys: ['pay-7'] });
    await waitFor(async () => (await admin.dlqList(PAYMENT_GROUP)).length === 1, {
      timeoutMs: 15_000,
      intervalMs: 200,
      description: 'the payment in the DLQ',
    });

    await open('#/dlq');
    await page.locator('[data-dlq-groups] a', { hasText: PAYMENT_GROUP }).click();
    const letter = page.locator(`[data-letters] tr[data-letter="${sent.msgId}"]`);
    await letter.waitFor();
    expect(await letter.textContent()).toContain(PAYMENTS);
    await screenshot('dead-letters');
    failing = false;
    await letter.locator('[data-resend]').click();
    await page.locator('[role=status]', { hasText: 'Resent 1 message(s)' }).waitFor();
    const delivered = await waitFor(() => succeeded.find((m) => m.msgId === sent.msgId), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the resent payment consumed',
    });
    expect(delivered.body.toString()).toBe('{"payment":7}');
    expect(delivered.topic).toBe(PAYMENTS);
  }, 30_000);

  it('commits a parked half message after confirmation', async () => {
    const txProducer = new TransactionProducer({
      group: 'console-tx-pg',
      nameServer: cluster.nameServer.address,
      instanceName: nextInstanceName('console-tx'),
      clock: systemClock,
      checkLocalTransaction: () => LocalTransactionState.UNKNOW,
    });
    clients.track(txProducer);
    await txProducer.start();
    const half = await txProducer.sendMessageInTransaction(
      { topic: TX_TOPIC, body: 'settle invoice 31', keys: ['invoice-31'] },
      () => LocalTransactionState.UNKNOW,
    );
    await waitFor(
      async () =>
        (await admin.txList()).transactions.find((t) => t.msgId === half.msgId && t.state === 'PARKED'),
      { timeoutMs: 15_000, intervalMs: 200, description: 'the half message parked' },
    );

    await open('#/transactions');
    const row = page.locator(`[data-transactions] tr[data-tx="${half.msgId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('PARKED');
    await screenshot('transactions');
    await row.locator('[data-commit]').click();
    await page.locator('keel-confirm [data-confirm]').click();
    await page.locator('[role=status]', { hasText: `Transaction ${half.msgId} committed` }).waitFor();
    await row.waitFor({ state: 'detached' });
    const committed = await admin.queryMsgByKey({ topic: TX_TOPIC, key: 'invoice-31' });
    expect(committed.map((m) => m.body.toString())).toEqual(['settle invoice 31']);
    expect((await admin.txList()).transactions.filter((t) => t.msgId === half.msgId)).toEqual([]);
  }, 30_000);

  it('shows the brokers and the throughput chart, at 1280×800 and on a phone', async () => {
    await open('#/overview');
    const row = page.locator('[data-brokers] tbody tr').first();
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('broker-a');
    expect(text).toContain('MASTER');
    expect(text).toContain('V4_9_8');
    await page.locator('keel-throughput-chart canvas').waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot('overview');

    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${baseUrl}#/overview`);
    await phone.locator('[data-brokers] tbody tr').first().waitFor();
    // The navigation moves above the page: nothing but the tables' own scroll areas is wider.
    expect(await noHorizontalScroll(phone)).toBe(true);
    await screenshot('overview-phone', { target: phone });
    await phone.close();
  });
});
