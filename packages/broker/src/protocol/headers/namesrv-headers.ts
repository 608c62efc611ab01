// Headers of the name-server requests (fact sheet §2.2), field names as in RocketMQ 4.9.8's
// `[C]protocol/header/namesrv/*.java`:
//
//   REGISTER_BROKER (103)        RegisterBrokerRequestHeader / RegisterBrokerResponseHeader
//   UNREGISTER_BROKER (104)      UnRegisterBrokerRequestHeader
//   GET_ROUTEINFO_BY_TOPIC (105) GetRouteInfoRequestHeader
//   GET/PUT/DELETE_KV_CONFIG     GetKVConfigRequestHeader / GetKVConfigResponseHeader,
//                                PutKVConfigRequestHeader, DeleteKVConfigRequestHeader
//   GET_KVLIST_BY_NAMESPACE      GetKVListByNamespaceRequestHeader
//   DELETE_TOPIC_IN_NAMESRV      DeleteTopicFromNamesrvRequestHeader
//   WIPE_/ADD_WRITE_PERM_OF_BROKER  WipeWritePermOfBrokerRequest/ResponseHeader,
//                                AddWritePermOfBrokerRequest/ResponseHeader
// GET_BROKER_CLUSTER_INFO and GET_ALL_TOPIC_LIST_FROM_NAMESERVER have no header.

import { defineHeader, type HeaderOf } from './header-codec';
import { boolean, int, long, optional, optionalString, string, withDefault } from './header-fields';

export const RegisterBrokerRequestHeader = defineHeader('RegisterBrokerRequestHeader', {
  brokerName: string(),
  /** brokerIP1:listenPort */
  brokerAddr: string(),
  clusterName: string(),
  /** brokerIP2:haListenPort */
  haServerAddr: string(),
  /** 0 = master. */
  brokerId: long(),
  /** The body is the zlib form of RegisterBrokerBody. */
  compressed: withDefault(boolean(), false),
  /** Masked CRC32 of the body; 0 = do not check. */
  bodyCrc32: withDefault(int(), 0),
});
export type RegisterBrokerRequestHeader = HeaderOf<typeof RegisterBrokerRequestHeader>;

/** Filled only for slaves whose master is alive: where to connect HA replication. */
export const RegisterBrokerResponseHeader = defineHeader('RegisterBrokerResponseHeader', {
  haServerAddr: optionalString(),
  masterAddr: optionalString(),
});
export type RegisterBrokerResponseHeader = HeaderOf<typeof RegisterBrokerResponseHeader>;

export const UnRegisterBrokerRequestHeader = defineHeader('UnRegisterBrokerRequestHeader', {
  brokerName: string(),
  brokerAddr: string(),
  clusterName: string(),
  brokerId: long(),
});
export type UnRegisterBrokerRequestHeader = HeaderOf<typeof UnRegisterBrokerRequestHeader>;

export const GetRouteInfoRequestHeader = defineHeader('GetRouteInfoRequestHeader', {
  topic: string(),
  /** 4.9.4+: answer with standard JSON (quoted numeric keys). */
  acceptStandardJsonOnly: optional(boolean()),
});
export type GetRouteInfoRequestHeader = HeaderOf<typeof GetRouteInfoRequestHeader>;

export const GetKVConfigRequestHeader = defineHeader('GetKVConfigRequestHeader', {
  namespace: string(),
  key: string(),
});
export type GetKVConfigRequestHeader = HeaderOf<typeof GetKVConfigRequestHeader>;

export const GetKVConfigResponseHeader = defineHeader('GetKVConfigResponseHeader', {
  value: optionalString(),
});
export type GetKVConfigResponseHeader = HeaderOf<typeof GetKVConfigResponseHeader>;

export const PutKVConfigRequestHeader = defineHeader('PutKVConfigRequestHeader', {
  namespace: string(),
  key: string(),
  value: string(),
});
export type PutKVConfigRequestHeader = HeaderOf<typeof PutKVConfigRequestHeader>;

export const DeleteKVConfigRequestHeader = defineHeader('DeleteKVConfigRequestHeader', {
  namespace: string(),
  key: string(),
});
export type DeleteKVConfigRequestHeader = HeaderOf<typeof DeleteKVConfigRequestHeader>;

export const GetKVListByNamespaceRequestHeader = defineHeader('GetKVListByNamespaceRequestHeader', {
  namespace: string(),
});
export type GetKVListByNamespaceRequestHeader = HeaderOf<typeof GetKVListByNamespaceRequestHeader>;

export const DeleteTopicFromNamesrvRequestHeader = defineHeader('DeleteTopicFromNamesrvRequestHeader', {
  topic: string(),
});
export type DeleteTopicFromNamesrvRequestHeader = HeaderOf<typeof DeleteTopicFromNamesrvRequestHeader>;

export const WipeWritePermOfBrokerRequestHeader = defineHeader('WipeWritePermOfBrokerRequestHeader', {
  brokerName: string(),
});
export type WipeWritePermOfBrokerRequestHeader = HeaderOf<typeof WipeWritePermOfBrokerRequestHeader>;

export const WipeWritePermOfBrokerResponseHeader = defineHeader('WipeWritePermOfBrokerResponseHeader', {
  wipeTopicCount: int(),
});
export type WipeWritePermOfBrokerResponseHeader = HeaderOf<typeof WipeWritePermOfBrokerResponseHeader>;

export const AddWritePermOfBrokerRequestHeader = defineHeader('AddWritePermOfBrokerRequestHeader', {
  brokerName: string(),
});
export type AddWritePermOfBrokerRequestHeader = HeaderOf<typeof AddWritePermOfBrokerRequestHeader>;

export const AddWritePermOfBrokerResponseHeader = defineHeader('AddWritePermOfBrokerResponseHeader', {
  addTopicCount: int(),
});
export type AddWritePermOfBrokerResponseHeader = HeaderOf<typeof AddWritePermOfBrokerResponseHeader>;
