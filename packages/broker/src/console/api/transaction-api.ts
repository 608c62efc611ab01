// Open transactions: half messages waiting for their producer (PREPARED) and those given up after
// the maximum number of checks (PARKED), with commit and rollback (confirmed) for an operator.

import type { ApiRoute } from '../api-route';
import type { RequestInput } from '../request-input';
import type { ConsoleAdmin } from '../console-admin';
import { LIST_LIMITS, type ApiContext } from './api-context';

export function transactionRoutes({ admin }: ApiContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/transactions',
      handle: async (input) => {
        const maxCount =
          input.queryInt('max', { min: 1, max: LIST_LIMITS.transactions.max }) ??
          LIST_LIMITS.transactions.default;
        return admin.txList({ maxCount, broker: input.queryString('broker') });
      },
    },
    {
      method: 'POST',
      pattern: '/api/transactions/:msgId/commit',
      handle: (input) => resolve(admin, input, 'commit'),
    },
    {
      method: 'POST',
      pattern: '/api/transactions/:msgId/rollback',
      handle: (input) => resolve(admin, input, 'rollback'),
    },
  ];
}

async function resolve(admin: ConsoleAdmin, input: RequestInput, action: 'commit' | 'rollback') {
  const msgId = input.param('msgId');
  input.requireConfirm(`${action === 'commit' ? 'committing' : 'rolling back'} transaction ${msgId}`);
  const broker = input.bodyString('broker');
  const resolved =
    action === 'commit' ? await admin.txCommit(msgId, broker) : await admin.txRollback(msgId, broker);
  return { msgId, action, resolved };
}
