// The topics the services talk through and the consumer group of each service. Every event of one
// order is published with the order id as its sharding key, so all of them land in one queue of
// their topic, in the order they were committed.

export const Topics = {
  /** Order service → payment service: an order waits for payment. */
  orderCreated: 'order-created',
  /** Payment service → order service: the user was charged. */
  paymentSucceeded: 'payment-succeeded',
  /** Payment service → order service: the user could not be charged; the order is compensated. */
  paymentFailed: 'payment-failed',
  /** Order service → anyone: an order reached PAID or CANCELLED (tag = the status). */
  orderStatus: 'order-status',
} as const;

export const Groups = {
  payment: 'payment-service',
  order: 'order-service',
  shipping: 'shipping',
} as const;

/** Producer groups: the broker asks a live member of the group about transactions left open. */
export const ProducerGroups = {
  order: 'order-service-tx',
  payment: 'payment-service-tx',
} as const;
