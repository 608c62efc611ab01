// Puts a plan's starting data in the services' databases: products and coupons with the order
// service, accounts with the payment service. Plain inserts, before any service starts: seeding is
// not part of the flow being demonstrated.

import type { DataSource } from 'typeorm';
import { Coupon } from '../order/coupon';
import { Product } from '../order/product';
import { Account } from '../payment/account';
import type { ScenarioPlan } from './scenario-plan';

const CHUNK = 500;

export async function seedOrderDatabase(dataSource: DataSource, plan: ScenarioPlan): Promise<void> {
  await insertChunks(
    dataSource,
    Product,
    plan.products.map((product) => ({
      sku: product.sku,
      name: product.name,
      priceCents: product.priceCents,
      merchantId: product.merchantId,
      available: product.stock,
      sold: 0,
      version: 0,
    })),
  );
  await insertChunks(
    dataSource,
    Coupon,
    plan.coupons.map((coupon) => ({ ...coupon, status: 'AVAILABLE' as const, lockedByOrderId: null })),
  );
}

export async function seedPaymentDatabase(dataSource: DataSource, plan: ScenarioPlan): Promise<void> {
  await insertChunks(
    dataSource,
    Account,
    plan.accounts.map((account) => ({ ...account })),
  );
}

async function insertChunks<E extends object>(
  dataSource: DataSource,
  entity: new () => E,
  rows: ReadonlyArray<Partial<E>>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await dataSource.manager.insert(entity, rows.slice(start, start + CHUNK) as E[]);
  }
}
