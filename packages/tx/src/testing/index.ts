// @keel/tx/testing: the test kit for applications built on @keel/tx — an in-process broker,
// waiting for deliveries, fault points in transactions, and duplicate deliveries.
export {
  startTestBroker,
  TEST_BROKER_DEFAULTS,
  type TestBroker,
  type TestBrokerOptions,
} from './test-broker';
export { testRuntimeTuning } from './test-tuning';
export {
  awaitDelivery,
  drain,
  recordDeliveries,
  type DeliveryRecorder,
  type DrainOptions,
} from './deliveries';
export {
  InjectedFault,
  injectFaults,
  type FaultOptions,
  type Faults,
  type Hold,
  type TransactionStep,
  type TransactionStepInfo,
} from './faults';
export { deliverAgain, duplicateEveryDelivery } from './duplicates';
