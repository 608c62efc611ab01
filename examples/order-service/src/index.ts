// The order-and-payment example as a library: the services, their HTTP API and the one-process
// system, for the scenario's tests and for reading. `npm run example` runs src/main.ts.
export { ExampleSystem, type ExampleSystemOptions, type RestartReport } from './infra/example-system';
export { openServiceDatabase, type DatabaseTarget, type ServiceDatabase } from './infra/databases';
export { startOrderService, startPaymentService, type ServiceEnvironment } from './infra/services';
export { createApiServer, type ApiBackends } from './http/http-api';
export { OrderService } from './order/order-service';
export { OrderPaymentHandlers } from './order/order-handlers';
export { PaymentHandlers } from './payment/payment-handlers';
export { ShippingHandlers } from './shipping/shipping-handlers';
export { Topics, Groups, ProducerGroups } from './events/topics';
export { runScenario, type ScenarioRunOptions, type ScenarioResult } from './scenario/run-scenario';
