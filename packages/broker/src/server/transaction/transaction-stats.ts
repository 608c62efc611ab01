// Counters of the transaction service since the broker started, for GET_BROKER_RUNTIME_INFO (the
// open and parked counts are read from the half-message table instead).

export class TransactionStats {
  checksSent = 0;
  commits = 0;
  rollbacks = 0;
  /** Half messages parked after transactionCheckMax checks. */
  parked = 0;
  /** Half messages forgotten because retention deleted their record before they were resolved. */
  expired = 0;
  /** Checks not sent because the write to the producer's connection failed. */
  checkSendFailures = 0;
}
