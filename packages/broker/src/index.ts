// Public entry of @keel/broker. Each area re-exports its own public surface.
export * from './common/index';
