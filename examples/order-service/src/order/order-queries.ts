// Reads for the HTTP API and the scenario's progress line. They run outside any transaction on the
// DataSource's own manager: a read needs no barrier row and publishes nothing.

import type { DataSource } from 'typeorm';
import { notFound } from '../errors';
import { toEpochMs } from '../infra/sql';
import { Order, OrderStatuses, type OrderStatus } from './order';
import { Product } from './product';

export interface OrderView {
  readonly id: string;
  readonly status: OrderStatus;
  readonly userId: string;
  readonly sku: string;
  readonly qty: number;
  readonly couponId: string | null;
  readonly amountCents: number;
  readonly cancelReason: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export interface ProductView {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
  readonly sold: number;
}

export type StatusCounts = Readonly<Record<OrderStatus, number>>;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    status: order.status,
    userId: order.userId,
    sku: order.sku,
    qty: order.qty,
    couponId: order.couponId,
    amountCents: order.amountCents,
    cancelReason: order.cancelReason,
    createdAt: new Date(toEpochMs(order.createdAtMs)).toISOString(),
    completedAt: order.completedAtMs === null ? null : new Date(toEpochMs(order.completedAtMs)).toISOString(),
  };
}

export class OrderQueries {
  readonly #dataSource: DataSource;

  constructor(dataSource: DataSource) {
    this.#dataSource = dataSource;
  }

  async order(id: string): Promise<OrderView> {
    // Checked here so a malformed id is a 404 like any unknown one, not a uuid cast error.
    const order = UUID_PATTERN.test(id) ? await this.#dataSource.manager.findOneBy(Order, { id }) : null;
    if (order === null) throw notFound('id', `order ${id} does not exist`);
    return toOrderView(order);
  }

  async product(sku: string): Promise<ProductView> {
    const product = await this.#dataSource.manager.findOneBy(Product, { sku });
    if (product === null) throw notFound('sku', `product ${sku} does not exist`);
    const { name, priceCents, available, sold } = product;
    return { sku, name, priceCents, available, sold };
  }

  async statusCounts(): Promise<StatusCounts> {
    const rows = (await this.#dataSource.query(
      'SELECT status, count(*)::int AS count FROM orders GROUP BY status',
    )) as Array<{ status: OrderStatus; count: number }>;
    const counts = Object.fromEntries(OrderStatuses.map((status) => [status, 0])) as Record<
      OrderStatus,
      number
    >;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }
}
