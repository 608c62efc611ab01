// Headers of client management (fact sheet §2.6): UNREGISTER_CLIENT (35),
// GET_CONSUMER_LIST_BY_GROUP (38), NOTIFY_CONSUMER_IDS_CHANGED (40, broker → consumer, oneway),
// GET_CONSUMER_CONNECTION_LIST (203).
// HEART_BEAT (34) has no header (its body is HeartbeatData).

import { defineHeader, type HeaderOf } from './header-codec';
import { optionalString, string } from './header-fields';

export const UnregisterClientRequestHeader = defineHeader('UnregisterClientRequestHeader', {
  clientID: string(),
  producerGroup: optionalString(),
  consumerGroup: optionalString(),
});
export type UnregisterClientRequestHeader = HeaderOf<typeof UnregisterClientRequestHeader>;

export const GetConsumerListByGroupRequestHeader = defineHeader('GetConsumerListByGroupRequestHeader', {
  consumerGroup: string(),
});
export type GetConsumerListByGroupRequestHeader = HeaderOf<typeof GetConsumerListByGroupRequestHeader>;

export const NotifyConsumerIdsChangedRequestHeader = defineHeader('NotifyConsumerIdsChangedRequestHeader', {
  consumerGroup: string(),
});
export type NotifyConsumerIdsChangedRequestHeader = HeaderOf<typeof NotifyConsumerIdsChangedRequestHeader>;

/** GET_CONSUMER_CONNECTION_LIST (203), an admin request (fact sheet §2.12). */
export const GetConsumerConnectionListRequestHeader = defineHeader('GetConsumerConnectionListRequestHeader', {
  consumerGroup: string(),
});
export type GetConsumerConnectionListRequestHeader = HeaderOf<typeof GetConsumerConnectionListRequestHeader>;
