// The name server's request processors ([N]processor/DefaultRequestProcessor.java): one function
// per request code over the route table and the KV config. Bad headers throw HeaderFieldError,
// which the server turns into a SYSTEM_ERROR whose remark names the field.

import type { Clock } from '../common/clock';
import { encodeClusterInfo } from '../protocol/bodies/cluster-info';
import {
  decodeRegisterBrokerBody,
  registerBrokerBodyCrcMatches,
} from '../protocol/bodies/register-broker-body';
import { encodeKVTable, encodeTopicList } from '../protocol/bodies/simple-bodies';
import { encodeTopicRouteData } from '../protocol/bodies/topic-route-data';
import {
  AddWritePermOfBrokerRequestHeader,
  AddWritePermOfBrokerResponseHeader,
  DeleteKVConfigRequestHeader,
  DeleteTopicFromNamesrvRequestHeader,
  GetKVConfigRequestHeader,
  GetKVConfigResponseHeader,
  GetKVListByNamespaceRequestHeader,
  GetRouteInfoRequestHeader,
  PutKVConfigRequestHeader,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  UnRegisterBrokerRequestHeader,
  WipeWritePermOfBrokerRequestHeader,
  WipeWritePermOfBrokerResponseHeader,
} from '../protocol/headers/namesrv-headers';
import { createResponse, type RemotingCommand } from '../protocol/remoting/remoting-command';
import { RequestCode } from '../protocol/remoting/request-code';
import { ResponseCode } from '../protocol/remoting/response-code';
import { ProcessorTable, type RequestContext } from '../transport/processor-table';
import { KvConfigManager, ORDER_TOPIC_CONFIG_NAMESPACE } from './kv-config-manager';
import { RouteInfoManager } from './route-info-manager';

/** Request version from which a route is sent as standard JSON (4.9.4's rule, facts §2.2). */
export const STANDARD_JSON_ROUTE_MIN_VERSION = 401;

export interface NameServerState {
  readonly routes: RouteInfoManager;
  readonly kv: KvConfigManager;
  readonly clock: Clock;
  readonly orderMessageEnable: boolean;
}

export function nameServerProcessors(state: NameServerState): ProcessorTable {
  const { routes, kv, clock } = state;
  const ok = (request: RemotingCommand, init?: Parameters<typeof createResponse>[3]) =>
    createResponse(request, ResponseCode.SUCCESS, undefined, init);

  return new ProcessorTable()
    .register(RequestCode.REGISTER_BROKER, (request, context) => registerBroker(state, request, context))
    .register(RequestCode.UNREGISTER_BROKER, (request) => {
      const header = UnRegisterBrokerRequestHeader.decode(request.extFields);
      routes.unregister(header.brokerAddr, header.brokerName, header.brokerId);
      return ok(request);
    })
    .register(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
      const header = GetRouteInfoRequestHeader.decode(request.extFields);
      const orderTopicConf = state.orderMessageEnable
        ? kv.get(ORDER_TOPIC_CONFIG_NAMESPACE, header.topic)
        : undefined;
      const route = routes.route(header.topic, orderTopicConf);
      if (route === undefined) {
        return createResponse(
          request,
          ResponseCode.TOPIC_NOT_EXIST,
          `No topic route info in name server for the topic: ${header.topic}; create the topic on a broker ` +
            '(keel admin updateTopic) or enable autoCreateTopicEnable on the brokers',
        );
      }
      const standard =
        header.acceptStandardJsonOnly === true || request.version >= STANDARD_JSON_ROUTE_MIN_VERSION;
      return ok(request, { body: encodeTopicRouteData(route, standard ? 'standard' : 'legacy') });
    })
    .register(RequestCode.GET_BROKER_CLUSTER_INFO, (request) =>
      ok(request, { body: encodeClusterInfo(routes.clusterInfo()) }),
    )
    .register(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (request) =>
      ok(request, { body: encodeTopicList({ topicList: routes.topics() }) }),
    )
    .register(RequestCode.DELETE_TOPIC_IN_NAMESRV, (request) => {
      routes.deleteTopic(DeleteTopicFromNamesrvRequestHeader.decode(request.extFields).topic);
      return ok(request);
    })
    .register(RequestCode.WIPE_WRITE_PERM_OF_BROKER, (request) => {
      const header = WipeWritePermOfBrokerRequestHeader.decode(request.extFields);
      const wipeTopicCount = routes.setWritePermission(header.brokerName, false);
      return ok(request, { extFields: WipeWritePermOfBrokerResponseHeader.encode({ wipeTopicCount }) });
    })
    .register(RequestCode.ADD_WRITE_PERM_OF_BROKER, (request) => {
      const header = AddWritePermOfBrokerRequestHeader.decode(request.extFields);
      const addTopicCount = routes.setWritePermission(header.brokerName, true);
      return ok(request, { extFields: AddWritePermOfBrokerResponseHeader.encode({ addTopicCount }) });
    })
    .register(RequestCode.PUT_KV_CONFIG, async (request) => {
      const header = PutKVConfigRequestHeader.decode(request.extFields);
      await kv.put(header.namespace, header.key, header.value);
      return ok(request);
    })
    .register(RequestCode.GET_KV_CONFIG, (request) => {
      const header = GetKVConfigRequestHeader.decode(request.extFields);
      const value = kv.get(header.namespace, header.key);
      if (value === undefined) {
        return createResponse(
          request,
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${header.namespace} Key: ${header.key}`,
        );
      }
      return ok(request, { extFields: GetKVConfigResponseHeader.encode({ value }) });
    })
    .register(RequestCode.DELETE_KV_CONFIG, async (request) => {
      const header = DeleteKVConfigRequestHeader.decode(request.extFields);
      await kv.delete(header.namespace, header.key);
      return ok(request);
    })
    .register(RequestCode.GET_KVLIST_BY_NAMESPACE, (request) => {
      const header = GetKVListByNamespaceRequestHeader.decode(request.extFields);
      const table = kv.list(header.namespace);
      if (table === undefined) {
        return createResponse(
          request,
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${header.namespace}`,
        );
      }
      return ok(request, { body: encodeKVTable({ table }) });
    });

  function registerBroker(state: NameServerState, request: RemotingCommand, context: RequestContext) {
    const header = RegisterBrokerRequestHeader.decode(request.extFields);
    if (!registerBrokerBodyCrcMatches(request.body, header.bodyCrc32)) {
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `crc32 not match: the registration body of ${header.brokerAddr} was damaged in transit`,
      );
    }
    const body =
      request.body.length === 0 ? undefined : decodeRegisterBrokerBody(request.body, header.compressed);
    const wrapper = body?.topicConfigSerializeWrapper;
    const result = state.routes.register(
      {
        clusterName: header.clusterName,
        brokerAddr: header.brokerAddr,
        brokerName: header.brokerName,
        brokerId: header.brokerId,
        haServerAddr: header.haServerAddr,
        dataVersion: wrapper?.dataVersion ?? { timestamp: 0, counter: 0 },
        topics: wrapper === undefined ? [] : [...wrapper.topicConfigTable.values()],
        filterServerList: body?.filterServerList ?? [],
        connectionId: context.connection.id,
      },
      clock.now(),
    );
    const orderConfig = kv.list(ORDER_TOPIC_CONFIG_NAMESPACE);
    return ok(request, {
      extFields: RegisterBrokerResponseHeader.encode({
        haServerAddr: result.haServerAddr,
        masterAddr: result.masterAddr,
      }),
      ...(orderConfig === undefined ? {} : { body: encodeKVTable({ table: orderConfig }) }),
    });
  }
}
