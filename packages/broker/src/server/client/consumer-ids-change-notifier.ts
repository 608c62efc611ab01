// Sends NOTIFY_CONSUMER_IDS_CHANGED (code 40, oneway, header consumerGroup) to every channel of a
// consumer group whose membership changed, so its members rebalance immediately (RocketMQ's
// DefaultConsumerIdsChangeListener + Broker2Client.notifyConsumerIdsChanged).

import { RequestCode } from '../../protocol/remoting/request-code';
import { createRequest } from '../../protocol/remoting/remoting-command';
import type { ClientChannel } from './client-channel';
import type { ConsumerGroupChange, ConsumerManager } from './consumer-manager';

export interface ConsumerIdsChangeNotifierOptions {
  /**
   * Whether to notify this group: the broker's notifyConsumerIdsChangedEnable and the group's own
   * flag of the same name (subscription group config) must both be on.
   */
  readonly isNotifyEnabled: (group: string) => boolean;
  /** Request ids for the oneway requests; the broker shares one sequence across its requests. */
  readonly nextOpaque: () => number;
  /** Sending to one channel failed (e.g. it is closing); the others are still notified. */
  readonly onSendError: (error: unknown, channel: ClientChannel, group: string) => void;
}

export class ConsumerIdsChangeNotifier {
  readonly #options: ConsumerIdsChangeNotifierOptions;

  constructor(options: ConsumerIdsChangeNotifierOptions) {
    this.#options = options;
  }

  /** Notifies on every change `manager` reports; returns the function that stops it. */
  attach(manager: ConsumerManager): () => void {
    return manager.onGroupChanged((change) => {
      this.handle(change);
    });
  }

  /** Sends one notification to each channel of the group; returns how many were sent. */
  handle(change: ConsumerGroupChange): number {
    if (change.channels.length === 0 || !this.#options.isNotifyEnabled(change.group)) return 0;
    let sent = 0;
    for (const channel of change.channels) {
      const request = createRequest({
        code: RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        opaque: this.#options.nextOpaque(),
        oneway: true,
        extFields: { consumerGroup: change.group },
      });
      try {
        channel.sendOneway(request);
        sent++;
      } catch (error) {
        this.#options.onSendError(error, channel, change.group);
      }
    }
    return sent;
  }
}
