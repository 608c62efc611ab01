import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export const AccountKinds = ['USER', 'MERCHANT'] as const;
export type AccountKind = (typeof AccountKinds)[number];

/** A balance in whole cents (never floating point). The CHECK is the last line of defence. */
@Entity('accounts')
@Check('accounts_balance_not_negative', '"balance_cents" >= 0')
export class Account {
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Column('varchar', { length: 16 })
  kind!: AccountKind;

  @Column('integer', { name: 'balance_cents' })
  balanceCents!: number;
}
