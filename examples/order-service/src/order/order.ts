import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const OrderStatuses = ['PENDING_PAYMENT', 'PAID', 'CANCELLED'] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

/**
 * An order: PENDING_PAYMENT when placed (stock deducted, coupon locked), then PAID or CANCELLED
 * once the payment service has answered. The idempotency key is the client's: a retried request
 * finds its order by it instead of placing a second one.
 */
@Entity('orders')
@Index('orders_idempotency_key', ['idempotencyKey'], { unique: true })
@Index('orders_status', ['status'])
export class Order {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('varchar', { name: 'idempotency_key', length: 255 })
  idempotencyKey!: string;

  /** A hash of the request body, to refuse the same key with a different request. */
  @Column('varchar', { name: 'request_fingerprint', length: 64 })
  requestFingerprint!: string;

  @Column('varchar', { name: 'user_id', length: 64 })
  userId!: string;

  @Column('varchar', { length: 64 })
  sku!: string;

  @Column('integer')
  qty!: number;

  @Column('varchar', { name: 'coupon_id', length: 64, nullable: true })
  couponId!: string | null;

  @Column('varchar', { name: 'merchant_id', length: 64 })
  merchantId!: string;

  @Column('integer', { name: 'amount_cents' })
  amountCents!: number;

  @Column('varchar', { length: 20 })
  status!: OrderStatus;

  /** Why the order was cancelled (the payment service's reason); null otherwise. */
  @Column('varchar', { name: 'cancel_reason', length: 64, nullable: true })
  cancelReason!: string | null;

  // Epoch milliseconds from the service's Clock (not the database's now()), so a test on a fake
  // clock sees the times it set. bigint comes back from pg as a string: see toEpochMs.
  @Column('bigint', { name: 'created_at_ms' })
  createdAtMs!: string;

  /** When the order reached PAID or CANCELLED. */
  @Column('bigint', { name: 'completed_at_ms', nullable: true })
  completedAtMs!: string | null;
}
