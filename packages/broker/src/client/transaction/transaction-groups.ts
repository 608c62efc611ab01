// Which transactional producer answers checks for which producer group, in this process.
//
// A check names its group (the half message's PGROUP), not a producer, so a group must have one
// answer per process: a second transactional producer of a running group is refused at start.
// Checks arrive on a client instance's connections (ClientInstance takes one handler per request
// code), so each instance that carries a transactional producer gets one CHECK_TRANSACTION_STATE
// handler, shared by the producers on it, which looks the group up here.

import { IllegalStateError } from '../../common/errors';
import { RequestCode } from '../../protocol/remoting/request-code';
import type { ClientInstance } from '../client-instance';
import { decodeCheckRequest, type TransactionCheckRequest } from './check-request';

/** What a transactional producer offers the handler: it takes the check from here on. */
export interface CheckReceiver {
  receiveCheck(check: TransactionCheckRequest, brokerAddress: string): void;
}

const receivers = new Map<string, CheckReceiver>();

interface InstanceHandler {
  users: number;
  readonly remove: () => void;
}

const handlers = new WeakMap<ClientInstance, InstanceHandler>();

/** Makes `receiver` the group's answerer in this process; throws when another one holds it. */
export function claimTransactionGroup(group: string, receiver: CheckReceiver): void {
  const holder = receivers.get(group);
  if (holder !== undefined && holder !== receiver) {
    throw new IllegalStateError(
      `a transactional producer of group ${group} is already running in this process; ` +
        'use that one (it can send any number of transactions at once) or shut it down first: ' +
        "the broker's checks name the group, so one process has one answer for it",
    );
  }
  receivers.set(group, receiver);
}

export function releaseTransactionGroup(group: string, receiver: CheckReceiver): void {
  if (receivers.get(group) === receiver) receivers.delete(group);
}

/** Installs the instance's check handler for one more transactional producer. */
export function attachCheckHandler(instance: ClientInstance): void {
  const existing = handlers.get(instance);
  if (existing !== undefined) {
    existing.users += 1;
    return;
  }
  // Async so a malformed check or one for a group nobody here answers rejects: the instance logs it
  // with the broker's address and counts it, and the broker asks again next round.
  const remove = instance.handleBrokerRequest(
    RequestCode.CHECK_TRANSACTION_STATE,
    async (request, address) => {
      const check = decodeCheckRequest(request);
      const receiver = receivers.get(check.producerGroup);
      if (receiver === undefined) {
        throw new IllegalStateError(
          `transaction check from ${address} for group ${check.producerGroup}, which has no running ` +
            `transactional producer in this process (message ${check.half.msgId})`,
        );
      }
      receiver.receiveCheck(check, address);
      return undefined;
    },
  );
  handlers.set(instance, { users: 1, remove });
}

export function detachCheckHandler(instance: ClientInstance): void {
  const existing = handlers.get(instance);
  if (existing === undefined) return;
  existing.users -= 1;
  if (existing.users > 0) return;
  existing.remove();
  handlers.delete(instance);
}
