// The broker's server side: in-memory managers the request processors call.
export * from './client/index';
export * from './lock/index';
export * from './longpolling/index';
export * from './offset/index';
export * from './subscription/index';
export * from './topic/index';
