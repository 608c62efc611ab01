// The order service (with shipping) as a process of its own (the multi-process mode,
// docs/example.md): its Keel runtime and the HTTP API for orders and products.

import { systemClock } from '@keel/broker';
import { createApiServer } from './http/http-api';
import { runServiceProcess } from './infra/service-process';
import { startOrderService } from './infra/services';
import { OrderQueries, toOrderView } from './order/order-queries';
import { Product } from './order/product';
import { seedOrderDatabase } from './scenario/seed';

runServiceProcess(
  'order',
  process.argv.slice(2),
  async (dataSource, options, logger) => {
    const { runtime, orders } = await startOrderService(dataSource, {
      nameServer: options.nameServer,
      clock: systemClock,
      logger,
    });
    const queries = new OrderQueries(dataSource);
    const server = createApiServer(
      {
        placeOrder: async (request, key) => {
          const placed = await orders.placeOrder(request, key);
          return { order: toOrderView(placed.order), created: placed.created };
        },
        order: (id) => queries.order(id),
        product: (sku) => queries.product(sku),
      },
      (message, error) => logger.error(message, { error: error instanceof Error ? error : String(error) }),
    );
    return { server, stop: () => runtime.shutdown() };
  },
  async (dataSource, data) => {
    if ((await dataSource.manager.count(Product)) > 0) return false;
    await seedOrderDatabase(dataSource, data);
    return true;
  },
).catch((error: unknown) => {
  process.stderr.write(
    `order service failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
