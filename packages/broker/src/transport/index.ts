// Sockets for the remoting protocol: connections, a server with a processor table, a client.
export * from './address';
export * from './transport-errors';
export { ResponseTable } from './response-table';
export {
  RemotingConnection,
  type RemotingConnectionEvents,
  type RequestHandler,
} from './remoting-connection';
export { ProcessorTable, type RequestContext, type RequestProcessor } from './processor-table';
export {
  RemotingServer,
  type CloseOptions,
  type ProcessorFailure,
  type RemotingServerEvents,
  type RemotingServerOptions,
} from './remoting-server';
export { RemotingClient, type RemotingClientOptions } from './remoting-client';
