// Where the scenario can break a service on purpose, to show what Keel does about it. Services take
// a FaultPoints and call it at the named moment; outside the scenario it is `noFaults`, which does
// nothing. A fault point throws an error as a crash in that spot would end the transaction.

export interface FaultPoints {
  /**
   * In the payment transaction, after the user was debited, the merchant credited and the payment
   * recorded, before the commit. A throw here rolls all of it back; the message is retried.
   */
  afterCharge(orderId: string): void;
}

export const noFaults: FaultPoints = Object.freeze({
  afterCharge: () => undefined,
});

/** The error an injected fault throws; retriable, as the crash it stands for would be. */
export class InjectedFault extends Error {
  constructor(where: string) {
    super(`injected fault: ${where}`);
    this.name = new.target.name;
  }
}
