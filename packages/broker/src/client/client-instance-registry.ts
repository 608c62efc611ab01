// One ClientInstance per client id in the process, shared by every producer and consumer created
// with that id (RocketMQ's MQClientManager): they share connections, routes and heartbeats. The
// instance shuts down when its last user releases it.

import { ClientInstance } from './client-instance';
import { buildClientId } from './client-id';
import type { ResolvedClientOptions } from './client-options';

interface Shared {
  readonly instance: ClientInstance;
  users: number;
}

const instances = new Map<string, Shared>();

/**
 * The instance for `options`' client id, created on first use. Options of a later user with the
 * same id are ignored in favour of the first user's, as in RocketMQ.
 */
export function acquireClientInstance(options: ResolvedClientOptions): ClientInstance {
  const clientId = buildClientId(options.clientIP, options.instanceName);
  let shared = instances.get(clientId);
  if (shared === undefined || shared.instance.isClosed) {
    shared = { instance: new ClientInstance(options), users: 0 };
    instances.set(clientId, shared);
  }
  shared.users += 1;
  return shared.instance;
}

/** Gives back one use; the last one shuts the instance down. */
export async function releaseClientInstance(instance: ClientInstance): Promise<void> {
  const shared = instances.get(instance.clientId);
  if (shared === undefined || shared.instance !== instance) {
    await instance.shutdown();
    return;
  }
  shared.users -= 1;
  if (shared.users > 0) return;
  instances.delete(instance.clientId);
  await instance.shutdown();
}
