// Starting each service: its Keel runtime on its own DataSource, with the instances whose
// @Transactional() methods and @OnMessage handlers it runs. The same functions serve the
// one-process example and the separate service processes of the multi-process mode.

import type { Clock, Logger } from '@keel/broker';
import { KeelRuntime } from '@keel/tx';
import type { DataSource } from 'typeorm';
import { Topics, ProducerGroups } from '../events/topics';
import { noFaults, type FaultPoints } from '../fault-points';
import { OrderPaymentHandlers } from '../order/order-handlers';
import { OrderService } from '../order/order-service';
import { PaymentHandlers } from '../payment/payment-handlers';
import { ShippingHandlers } from '../shipping/shipping-handlers';

// Clients heartbeat every 30 s by default (RocketMQ's). A broker that restarts knows a producer
// again only from its next heartbeat, and until then cannot ask it about open transactions; 2 s
// lets the example's broker restart settle within seconds (it costs a small request per broker).
const HEARTBEAT_MS = 2_000;

export interface ServiceEnvironment {
  readonly nameServer: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningOrderService {
  readonly runtime: KeelRuntime;
  readonly orders: OrderService;
}

/** The order service, with shipping's consumer group (shipping shares its database). */
export async function startOrderService(
  dataSource: DataSource,
  env: ServiceEnvironment,
): Promise<RunningOrderService> {
  const orders = new OrderService(env.clock);
  const runtime = await KeelRuntime.start({
    dataSource,
    nameServer: env.nameServer,
    producerGroup: ProducerGroups.order,
    services: [orders],
    handlers: [new OrderPaymentHandlers(env.clock), new ShippingHandlers(env.clock)],
    ensureTables: true,
    clock: env.clock,
    logger: env.logger.child('order-service'),
    // Announce the group to the brokers of these topics at start, so a restarted order service
    // answers check-backs of transactions its previous run left open before it sends anything.
    producer: { topics: [Topics.orderCreated, Topics.orderStatus], heartbeatBrokerIntervalMs: HEARTBEAT_MS },
    consumer: { heartbeatBrokerIntervalMs: HEARTBEAT_MS },
  });
  return { runtime, orders };
}

export async function startPaymentService(
  dataSource: DataSource,
  env: ServiceEnvironment,
  faults: FaultPoints = noFaults,
): Promise<KeelRuntime> {
  return KeelRuntime.start({
    dataSource,
    nameServer: env.nameServer,
    producerGroup: ProducerGroups.payment,
    handlers: [new PaymentHandlers(env.clock, faults)],
    ensureTables: true,
    clock: env.clock,
    logger: env.logger.child('payment-service'),
    producer: {
      topics: [Topics.paymentSucceeded, Topics.paymentFailed],
      heartbeatBrokerIntervalMs: HEARTBEAT_MS,
    },
    consumer: { heartbeatBrokerIntervalMs: HEARTBEAT_MS },
  });
}
