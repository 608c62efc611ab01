// Typed models of RocketMQ 4.x's remoting bodies, with encoders and validating decoders.
export { BodyDecodeError, BodyEncodeError, BodyErrorCodes } from './body-errors';
export { BodyValue, parseBody } from './body-value';
export * from './message-queue';
export * from './topic-route-data';
export * from './cluster-info';
export * from './simple-bodies';
export * from './heartbeat-data';
export * from './lock-batch-bodies';
export * from './queue-stats-bodies';
export * from './register-broker-body';
export * from './batch-message-body';
