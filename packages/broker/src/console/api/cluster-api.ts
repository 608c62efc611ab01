// The overview: brokers with their roles, versions, disk usage and pending work, the name servers,
// and the sampled messages in/out per second for the chart.

import { summarizeBroker } from '../broker-summary';
import type { ApiRoute } from '../api-route';
import type { ApiContext } from './api-context';

export function clusterRoutes({ admin, throughput }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/overview',
      handle: async () => ({
        nameServers: admin.nameServers,
        brokers: (await admin.clusterList()).map(summarizeBroker),
      }),
    },
    {
      method: 'GET',
      pattern: '/api/throughput',
      handle: async () => ({ intervalMs: throughput.intervalMs, samples: throughput.samples() }),
    },
  ];
}
