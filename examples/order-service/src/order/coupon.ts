import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CouponStatuses = ['AVAILABLE', 'LOCKED', 'USED'] as const;
export type CouponStatus = (typeof CouponStatuses)[number];

/**
 * A user's discount coupon. AVAILABLE → LOCKED when an order takes it (`lockedByOrderId` says
 * which) → USED when that order is paid, or back to AVAILABLE when it is cancelled.
 */
@Entity('coupons')
export class Coupon {
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Column('varchar', { name: 'user_id', length: 64 })
  userId!: string;

  @Column('integer', { name: 'discount_cents' })
  discountCents!: number;

  @Column('varchar', { length: 16 })
  status!: CouponStatus;

  @Column('uuid', { name: 'locked_by_order_id', nullable: true })
  lockedByOrderId!: string | null;
}
