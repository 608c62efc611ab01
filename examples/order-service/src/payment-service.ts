// The payment service as a process of its own (the multi-process mode, docs/example.md): its Keel
// runtime consuming order-created, and GET /accounts/:userId.

import { systemClock } from '@keel/broker';
import { runServiceProcess } from './infra/service-process';
import { startPaymentService } from './infra/services';
import { createApiServer } from './http/http-api';
import { Account } from './payment/account';
import { PaymentQueries } from './payment/payment-queries';
import { seedPaymentDatabase } from './scenario/seed';

runServiceProcess(
  'payment',
  process.argv.slice(2),
  async (dataSource, options, logger) => {
    const runtime = await startPaymentService(dataSource, {
      nameServer: options.nameServer,
      clock: systemClock,
      logger,
    });
    const queries = new PaymentQueries(dataSource);
    const server = createApiServer({ account: (userId) => queries.account(userId) }, (message, error) =>
      logger.error(message, { error: error instanceof Error ? error : String(error) }),
    );
    return { server, stop: () => runtime.shutdown() };
  },
  async (dataSource, data) => {
    if ((await dataSource.manager.count(Account)) > 0) return false;
    await seedPaymentDatabase(dataSource, data);
    return true;
  },
).catch((error: unknown) => {
  process.stderr.write(
    `payment service failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
