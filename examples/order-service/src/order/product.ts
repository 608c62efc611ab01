import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A product and its stock. Placing an order moves `qty` from `available` to `sold`; cancelling it
 * moves it back, so `available + sold` never changes. `version` is the optimistic check: an order
 * deducts stock only if the row is still the one it read.
 */
@Entity('products')
@Check('products_available_not_negative', '"available" >= 0')
@Check('products_sold_not_negative', '"sold" >= 0')
export class Product {
  @PrimaryColumn('varchar', { length: 64 })
  sku!: string;

  @Column('varchar', { length: 200 })
  name!: string;

  @Column('integer', { name: 'price_cents' })
  priceCents!: number;

  /** The account the payment for this product is credited to. */
  @Column('varchar', { name: 'merchant_id', length: 64 })
  merchantId!: string;

  @Column('integer')
  available!: number;

  @Column('integer')
  sold!: number;

  @Column('integer')
  version!: number;
}
