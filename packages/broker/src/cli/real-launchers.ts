// The launchers `keel namesrv` and `keel broker` use: the real name server and broker, on the
// machine's disk and clock.

import { systemClock } from '../common/clock';
import { NameServer } from '../namesrv/name-server';
import { Broker } from '../server/broker';
import { NodeDisk } from '../store/disk/node-disk';
import type { ServerLaunchers } from './server-launchers';

export const serverLaunchers: ServerLaunchers = {
  async startNameServer(config, log) {
    const nameServer = await NameServer.start({
      listenPort: config.listenPort,
      kvConfigPath: config.kvConfigPath,
      orderMessageEnable: config.orderMessageEnable,
      scanNotActiveBrokerIntervalMs: config.scanNotActiveBrokerIntervalMs,
      brokerChannelExpiredTimeMs: config.brokerChannelExpiredTimeMs,
      idleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000,
      clock: systemClock,
      disk: new NodeDisk(),
      log,
    });
    return {
      description: `name server listening on port ${nameServer.port}`,
      close: () => nameServer.close(),
    };
  },
  async startBroker(config, log) {
    const broker = await Broker.start({ config, log, clock: systemClock, disk: new NodeDisk() });
    return {
      description:
        `broker ${config.brokerName} (id ${config.brokerId}, ${config.brokerRole}) listening on ${broker.address}, ` +
        `VIP port ${broker.vipPort}`,
      close: (reason) => broker.close(reason),
    };
  },
};
