// Stock moves between `available` and `sold` inside the caller's transaction. Deducting uses the
// row's version as an optimistic check: the UPDATE applies only if nobody changed the row since we
// read it, so the "enough stock?" decision is never made on a stale number. On a miss we read again;
// under READ COMMITTED each statement sees the latest commits, so the next round sees the winner's.

import { ExampleError, ExampleErrorCodes, notFound } from '../errors';
import { selectRows, updateRows } from '../infra/sql';

export interface ReservedProduct {
  readonly sku: string;
  readonly priceCents: number;
  readonly merchantId: string;
}

// Enough for a burst of orders on one product; past it the client is told to retry.
const MAX_ATTEMPTS = 5;

interface ProductRow {
  readonly sku: string;
  readonly price_cents: number;
  readonly merchant_id: string;
  readonly available: number;
  readonly version: number;
}

/** Moves `qty` of `sku` from available to sold; throws NOT_FOUND, OUT_OF_STOCK or STOCK_CONTENTION. */
export async function reserveStock(sku: string, qty: number): Promise<ReservedProduct> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const [product] = await selectRows<ProductRow>(
      'SELECT sku, price_cents, merchant_id, available, version FROM products WHERE sku = $1',
      [sku],
    );
    if (product === undefined) throw notFound('sku', `product ${sku} does not exist`);
    if (product.available < qty) {
      throw new ExampleError(
        ExampleErrorCodes.OUT_OF_STOCK,
        `only ${product.available} of ${sku} left, ${qty} asked; order fewer or try again later`,
        { field: 'qty' },
      );
    }
    const updated = await updateRows(
      `UPDATE products SET available = available - $2, sold = sold + $2, version = version + 1
        WHERE sku = $1 AND version = $3 RETURNING sku`,
      [sku, qty, product.version],
    );
    if (updated.length === 1) {
      return { sku, priceCents: product.price_cents, merchantId: product.merchant_id };
    }
  }
  throw new ExampleError(
    ExampleErrorCodes.STOCK_CONTENTION,
    `the stock of ${sku} changed under ${MAX_ATTEMPTS} attempts in a row; send the same request again`,
    { field: 'sku', retriable: true },
  );
}

/** Compensation: puts `qty` of `sku` back from sold to available. */
export async function releaseStock(sku: string, qty: number): Promise<void> {
  // A version bump, so an order that read the row before this release retries on the new numbers.
  const updated = await updateRows(
    `UPDATE products SET available = available + $2, sold = sold - $2, version = version + 1
      WHERE sku = $1 AND sold >= $2 RETURNING sku`,
    [sku, qty],
  );
  if (updated.length !== 1) {
    throw new Error(`cannot release ${qty} of ${sku}: the product is gone or has sold fewer than that`);
  }
}
