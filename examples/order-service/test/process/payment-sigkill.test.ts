// SIGKILL of the payment service in the middle of a run, then a restart: the run still ends
// consistent. The payment service is a real process (dist/payment-service.js, the multi-process
// mode's entry) killed with SIGKILL while orders are being charged: charges in flight roll back
// with their connection, END_TRANSACTIONs not yet sent are settled by check-back against the
// restarted process, and order-created messages whose offsets were not committed come again and
// are recognised by the inbox.

import 'reflect-metadata';
import { systemClock } from '@keel/broker';
import { waitFor } from '@keel/broker/testing';
import { describeWithDatabase } from '@keel/test-support';
import { isExampleError } from '../../src/errors';
import { openServiceDatabase, type ServiceDatabase } from '../../src/infra/databases';
import { EmbeddedCluster } from '../../src/infra/embedded-cluster';
import { startOrderService, type RunningOrderService } from '../../src/infra/services';
import { checkInvariants } from '../../src/scenario/invariants';
import { planScenario } from '../../src/scenario/scenario-plan';
import { seedOrderDatabase, seedPaymentDatabase } from '../../src/scenario/seed';
import { readSnapshot } from '../../src/scenario/snapshot';
import { cleanUpAll, exampleDatabases, quietLogger, type ExampleDatabases } from '../example-fixtures';
import { serviceEntry, ServiceChild } from './service-child';

describeWithDatabase('payment service SIGKILL', { needs: 'postgres' }, (db) => {
  let databases: ExampleDatabases;
  let cluster: EmbeddedCluster | undefined;
  let orderDb: ServiceDatabase | undefined;
  let paymentDb: ServiceDatabase | undefined;
  let orderService: RunningOrderService | undefined;
  const children: ServiceChild[] = [];
  // Set when the suite ends, so the request loops of a test that failed or timed out stop too.
  let ending = false;
  let placing: Promise<unknown> | undefined;

  afterAll(async () => {
    ending = true;
    await cleanUpAll([
      ...children.map((child) => () => child.kill()),
      // The request loops finish their request in flight before the runtime stops under them.
      async () => placing?.catch(() => undefined),
      async () => orderService?.runtime.shutdown(),
      async () => orderDb?.close(),
      async () => paymentDb?.close(),
      async () => cluster?.stop(),
      async () => databases?.cleanUp(),
    ]);
  }, 30_000);

  it('ends consistent after the payment process is killed mid-run and restarted', async () => {
    const entry = serviceEntry('payment-service');
    databases = exampleDatabases(db());
    const { target } = databases;
    if (target.kind !== 'postgres') throw new Error('this suite runs on PostgreSQL only');
    const { logger } = quietLogger();
    const plan = planScenario({ orders: 160, users: 10, seed: 9, clientFaults: false });

    cluster = await EmbeddedCluster.start({ dataDir: databases.dataDir, clock: systemClock, logger });
    orderDb = await openServiceDatabase(target, 'order', { fresh: true });
    paymentDb = await openServiceDatabase(target, 'payment', { fresh: true });
    await seedOrderDatabase(orderDb.dataSource, plan);
    await seedPaymentDatabase(paymentDb.dataSource, plan);
    orderService = await startOrderService(orderDb.dataSource, {
      nameServer: cluster.nameServer,
      clock: systemClock,
      logger,
    });

    const startPayment = async () => {
      const child = new ServiceChild(
        entry,
        ['--name-server', cluster?.nameServer ?? '', '--port', '0', '--schema-prefix', target.schemaPrefix],
        { DATABASE_URL: target.url },
      );
      children.push(child);
      await child.ready();
      return child;
    };
    const payments = async () =>
      (await paymentDb!.dataSource.query<[{ n: number }]>('SELECT count(*)::int AS n FROM payments'))[0].n;
    const pending = async () =>
      (
        await orderDb!.dataSource.query<[{ n: number }]>(
          `SELECT count(*)::int AS n FROM orders WHERE status = 'PENDING_PAYMENT'`,
        )
      )[0].n;

    const first = await startPayment();
    const accepted = new Map<string, string>();
    let next = 0;
    const placeAll = async () => {
      for (let index = next++; index < plan.requests.length && !ending; index = next++) {
        const request = plan.requests[index]!;
        try {
          const placed = await orderService!.orders.placeOrder(request.body, request.key);
          accepted.set(request.key, placed.order.id);
        } catch (error: unknown) {
          // Out of stock and the like are answers, not failures of the test.
          if (!isExampleError(error)) throw error;
        }
      }
    };
    placing = Promise.all([placeAll(), placeAll(), placeAll()]);

    // Kill while charges are flowing: some orders paid, others still waiting for their charge.
    await waitFor(async () => (await payments()) >= 40, { timeoutMs: 30_000, description: '40 payments' });
    await first.kill();
    const pendingAtKill = await pending();
    const paymentsAtKill = await payments();

    await placing;
    await startPayment();
    await waitFor(
      async () => {
        const [{ shipped }] = await orderDb!.dataSource.query<[{ shipped: number }]>(
          'SELECT count(*)::int AS shipped FROM shipments',
        );
        const [{ paid }] = await orderDb!.dataSource.query<[{ paid: number }]>(
          `SELECT count(*)::int AS paid FROM orders WHERE status = 'PAID'`,
        );
        return (await pending()) === 0 && shipped === paid;
      },
      {
        timeoutMs: 45_000,
        intervalMs: 100,
        description: 'every order paid or cancelled, and shipped if paid',
      },
    );

    expect(pendingAtKill).toBeGreaterThan(0);
    expect(await payments()).toBeGreaterThan(paymentsAtKill);
    const snapshot = await readSnapshot(orderDb.dataSource, paymentDb.dataSource);
    const verdicts = checkInvariants(plan, snapshot, {
      accepted,
      repeated: [],
      reusedKeys: [],
      unanswered: [],
    });
    expect(verdicts.filter((verdict) => !verdict.holds)).toEqual([]);
    expect(snapshot.orders.length).toBe(accepted.size);
  }, 120_000);
});
