import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One shipment per paid order: the order id is the key, so a second one cannot exist. */
@Entity('shipments')
export class Shipment {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('varchar', { name: 'user_id', length: 64 })
  userId!: string;

  @Column('varchar', { length: 64 })
  sku!: string;

  @Column('integer')
  qty!: number;

  @Column('bigint', { name: 'created_at_ms' })
  createdAtMs!: string;
}
