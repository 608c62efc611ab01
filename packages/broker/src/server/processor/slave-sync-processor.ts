// What a master serves its slaves' metadata sync (facts §7.2, RocketMQ's AdminBrokerProcessor):
// GET_ALL_CONSUMER_OFFSET (43), GET_ALL_DELAY_OFFSET (45) and GET_ALL_SUBSCRIPTIONGROUP_CONFIG
// (201), each the body of its config file as fastjson writes it (bare numeric keys), which is what
// a RocketMQ slave parses. GET_ALL_TOPIC_CONFIG (21) is in admin-processor.ts. Admin tools read
// the subscription groups too.

import { writeFastjsonBytes } from '../../common/json/fastjson-writer';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';

export function processGetAllConsumerOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const offsetTable = new Map(
    context.offsets
      .snapshot()
      .map(({ topic, group, offsets }) => [`${topic}@${group}`, new Map(offsets)] as const),
  );
  const body = writeFastjsonBytes({ offsetTable });
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body });
}

export function processGetAllDelayOffset(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { offsetTable } = context.schedule.offsetTable();
  const body = writeFastjsonBytes({
    offsetTable: new Map(Object.entries(offsetTable).map(([level, offset]) => [Number(level), offset])),
  });
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body });
}

export function processGetAllSubscriptionGroupConfig(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): RemotingCommand {
  const { dataVersion, subscriptionGroupTable } = context.groups.toRocketMqJson();
  const body = writeFastjsonBytes({
    dataVersion: { ...dataVersion },
    subscriptionGroupTable: new Map(
      Object.entries(subscriptionGroupTable).map(([name, config]) => [name, { ...config }]),
    ),
  });
  return createResponse(request, ResponseCode.SUCCESS, undefined, { body });
}
