// Reads of the payment service for the HTTP API, outside any transaction.

import type { DataSource } from 'typeorm';
import { notFound } from '../errors';
import { Account, type AccountKind } from './account';

export interface AccountView {
  readonly id: string;
  readonly kind: AccountKind;
  readonly balanceCents: number;
}

export class PaymentQueries {
  readonly #dataSource: DataSource;

  constructor(dataSource: DataSource) {
    this.#dataSource = dataSource;
  }

  async account(id: string): Promise<AccountView> {
    const account = await this.#dataSource.manager.findOneBy(Account, { id });
    if (account === null) throw notFound('userId', `account ${id} does not exist`);
    return { id: account.id, kind: account.kind, balanceCents: account.balanceCents };
  }
}
