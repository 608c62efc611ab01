// Consumer and producer group names RocketMQ reserves (MixAll, facts §12).

export const SystemGroup = {
  DEFAULT_PRODUCER: 'DEFAULT_PRODUCER',
  DEFAULT_CONSUMER: 'DEFAULT_CONSUMER',
  TOOLS_CONSUMER: 'TOOLS_CONSUMER',
  SCHEDULE_CONSUMER: 'SCHEDULE_CONSUMER',
  FILTERSRV_CONSUMER: 'FILTERSRV_CONSUMER',
  MONITOR_CONSUMER: '__MONITOR_CONSUMER',
  CLIENT_INNER_PRODUCER: 'CLIENT_INNER_PRODUCER',
  SELF_TEST_PRODUCER: 'SELF_TEST_P_GROUP',
  SELF_TEST_CONSUMER: 'SELF_TEST_C_GROUP',
  ONS_HTTP_PROXY: 'CID_ONS-HTTP-PROXY',
  ONSAPI_PERMISSION: 'CID_ONSAPI_PERMISSION',
  ONSAPI_OWNER: 'CID_ONSAPI_OWNER',
  ONSAPI_PULL: 'CID_ONSAPI_PULL',
  /** The group of the transaction check service's internal consumer. */
  SYS_TRANS: 'CID_RMQ_SYS_TRANS',
} as const;

/** Groups with this prefix are the broker's own and are created even without autoCreateSubscriptionGroup. */
export const CID_RMQ_SYS_PREFIX = 'CID_RMQ_SYS_';

export function isSystemConsumerGroup(group: string): boolean {
  return group.startsWith(CID_RMQ_SYS_PREFIX);
}

/** The groups RocketMQ's SubscriptionGroupManager puts in its table at start, with default settings. */
export const PRECREATED_SUBSCRIPTION_GROUPS: readonly string[] = [
  SystemGroup.TOOLS_CONSUMER,
  SystemGroup.FILTERSRV_CONSUMER,
  SystemGroup.SELF_TEST_CONSUMER,
  SystemGroup.ONS_HTTP_PROXY,
  SystemGroup.ONSAPI_PULL,
  SystemGroup.ONSAPI_PERMISSION,
  SystemGroup.ONSAPI_OWNER,
];
