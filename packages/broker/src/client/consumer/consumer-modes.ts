// The two axes of a consumer's behaviour ([C]protocol/heartbeat/MessageModel.java and the listener
// kind): how queues are shared within a group, and whether a queue is consumed in order.

/** CLUSTERING: the group shares the queues; BROADCASTING: every consumer takes every queue. */
export type MessageModel = 'CLUSTERING' | 'BROADCASTING';

/** ORDERLY: one message (batch) at a time per queue, under a broker lock in CLUSTERING. */
export type ConsumeMode = 'CONCURRENTLY' | 'ORDERLY';
