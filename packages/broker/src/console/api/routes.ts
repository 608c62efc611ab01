// Every route of the console's API.

import type { ApiRoute } from '../api-route';
import type { ApiContext } from './api-context';
import { clusterRoutes } from './cluster-api';
import { deadLetterRoutes } from './dead-letter-api';
import { groupRoutes } from './group-api';
import { messageRoutes } from './message-api';
import { topicRoutes } from './topic-api';
import { transactionRoutes } from './transaction-api';

export function consoleRoutes(context: ApiContext): ApiRoute[] {
  return [
    ...clusterRoutes(context),
    ...topicRoutes(context),
    ...groupRoutes(context),
    ...messageRoutes(context),
    ...deadLetterRoutes(context),
    ...transactionRoutes(context),
  ];
}
