// Opens the producer or consumer of whichever system a target names.
import { openKeelConsumer, openKeelProducer } from './keel-peer';
import { openNatsConsumer, openNatsProducer } from './nats-peer';
import type { BodyListener, PeerConsumer, PeerProducer, PeerTarget } from './peer-target';
import { openRabbitConsumer, openRabbitProducer } from './rabbitmq-peer';

export function openProducer(target: PeerTarget): Promise<PeerProducer> {
  switch (target.system) {
    case 'keel':
      return openKeelProducer(target);
    case 'nats':
      return openNatsProducer(target);
    case 'rabbitmq':
      return openRabbitProducer(target);
  }
}

export function openConsumer(
  target: PeerTarget,
  onBody: BodyListener,
  onError: (error: unknown) => void,
): Promise<PeerConsumer> {
  switch (target.system) {
    case 'keel':
      return openKeelConsumer(target, onBody, onError);
    case 'nats':
      return openNatsConsumer(target, onBody, onError);
    case 'rabbitmq':
      return openRabbitConsumer(target, onBody, onError);
  }
}
