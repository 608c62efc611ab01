// The transaction service's rows of GET_BROKER_RUNTIME_INFO, named like the schedule and timer
// services' (values are strings, as every value of that table):
//
//   keelTransactionHalfPending   half messages waiting for END_TRANSACTION (PREPARED)
//   keelTransactionHalfParked    half messages parked after transactionCheckMax checks (PARKED)
//   keelTransactionChecksSent    CHECK_TRANSACTION_STATE requests sent since start
//   keelTransactionCommits       half messages committed since start
//   keelTransactionRollbacks     half messages rolled back since start

import type { TransactionCounters } from './transaction-service';

export function transactionRuntimeInfo(counters: TransactionCounters): Array<[string, string]> {
  return [
    ['keelTransactionHalfPending', String(counters.pending)],
    ['keelTransactionHalfParked', String(counters.parked)],
    ['keelTransactionChecksSent', String(counters.checksSent)],
    ['keelTransactionCommits', String(counters.commits)],
    ['keelTransactionRollbacks', String(counters.rollbacks)],
  ];
}
