// One RemotingServer that plays both name server and broker for client unit tests: it serves a
// route the test controls, records every request, and can call the client back.

import type { Clock } from '../../src/common/clock';
import { encodeTopicRouteData, type TopicRouteData } from '../../src/protocol/bodies/topic-route-data';
import { GetRouteInfoRequestHeader } from '../../src/protocol/headers/namesrv-headers';
import { createResponse, type RemotingCommand } from '../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { ProcessorTable } from '../../src/transport/processor-table';
import type { RemotingConnection } from '../../src/transport/remoting-connection';
import { RemotingServer } from '../../src/transport/remoting-server';

export interface FakeClusterServer {
  readonly server: RemotingServer;
  readonly address: string;
  /** topic → route; a missing topic answers TOPIC_NOT_EXIST. */
  readonly routes: Map<string, TopicRouteData>;
  readonly requests: RemotingCommand[];
  /** The server's processors: a test registers more (SEND_MESSAGE_V2, END_TRANSACTION, ...). */
  readonly processors: ProcessorTable;
  count(code: number): number;
  /** The connection of the (only) client. */
  clientConnection(): RemotingConnection;
  close(): Promise<void>;
}

export function routeTo(address: string, brokerName = 'broker-a', writeQueueNums = 4): TopicRouteData {
  return {
    queueDatas: [{ brokerName, readQueueNums: writeQueueNums, writeQueueNums, perm: 6, topicSysFlag: 0 }],
    brokerDatas: [{ cluster: 'DefaultCluster', brokerName, brokerAddrs: new Map([[0, address]]) }],
    filterServerTable: new Map(),
  };
}

export async function startFakeClusterServer(clock: Clock): Promise<FakeClusterServer> {
  const routes = new Map<string, TopicRouteData>();
  const requests: RemotingCommand[] = [];
  const processors = new ProcessorTable();
  const record = (request: RemotingCommand): void => {
    requests.push(request);
  };
  processors.register(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
    record(request);
    const { topic } = GetRouteInfoRequestHeader.decode(request.extFields);
    const route = routes.get(topic);
    if (route === undefined)
      return createResponse(
        request,
        ResponseCode.TOPIC_NOT_EXIST,
        `No topic route info in name server for the topic: ${topic}`,
      );
    return createResponse(request, ResponseCode.SUCCESS, undefined, { body: encodeTopicRouteData(route) });
  });
  for (const code of [RequestCode.HEART_BEAT, RequestCode.UNREGISTER_CLIENT]) {
    processors.register(code, (request) => {
      record(request);
      return createResponse(request, ResponseCode.SUCCESS);
    });
  }
  const server = await RemotingServer.listen({
    name: 'fake cluster',
    clock,
    processors,
    port: 0,
    host: '127.0.0.1',
    idleTimeoutMs: 0,
  });
  return {
    server,
    address: `127.0.0.1:${server.port}`,
    routes,
    requests,
    processors,
    count: (code) => requests.filter((r) => r.code === code).length,
    clientConnection() {
      const [connection] = [...server.connections()];
      if (connection === undefined) throw new Error('no client is connected');
      return connection;
    },
    close: () => server.close({ graceMs: 0 }),
  };
}
