import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A successful charge. The order id is the key: one payment per order, whatever is redelivered. */
@Entity('payments')
export class Payment {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('varchar', { name: 'user_id', length: 64 })
  userId!: string;

  @Column('varchar', { name: 'merchant_id', length: 64 })
  merchantId!: string;

  @Column('integer', { name: 'amount_cents' })
  amountCents!: number;

  @Column('bigint', { name: 'created_at_ms' })
  createdAtMs!: string;
}
