import 'reflect-metadata';
import {
  KeelMetadataError,
  KeelMetadataStorage,
  OnDeadLetter,
  OnMessage,
  Transactional,
  TxErrorCodes,
  validateKeelMetadata,
  withKeelMetadataStorage,
  type OnMessageOptions,
} from '@keel/tx';

/** Problems as `where: message` lines, or [] when validation passes. */
function problemsOf(handlers: readonly unknown[], storage: KeelMetadataStorage): string[] {
  try {
    validateKeelMetadata(handlers, { storage });
    return [];
  } catch (error: unknown) {
    if (!(error instanceof KeelMetadataError)) throw error;
    expect(error.code).toBe(TxErrorCodes.METADATA_INVALID);
    return error.problems.map((problem) => `${problem.where}: ${problem.message}`);
  }
}

describe('decorators record plain data only', () => {
  it('leaves handler methods untouched and records what they were given', () => {
    const storage = new KeelMetadataStorage();
    const options: OnMessageOptions = { topic: 'order-created', group: 'payment-service', maxRetries: 5 };
    withKeelMetadataStorage(storage, () => {
      class PaymentHandlers {
        @OnMessage(options)
        async charge(): Promise<void> {}
      }
      return PaymentHandlers;
    });
    const Handlers = withKeelMetadataStorage(storage, () => {
      class Handlers {
        @OnMessage({ topic: 'order-created', group: 'stock-service' })
        async reserve(): Promise<void> {}

        @OnDeadLetter({ group: 'stock-service' })
        async parked(): Promise<void> {}
      }
      return Handlers;
    });
    const original = Object.getOwnPropertyDescriptor(Handlers.prototype, 'reserve')?.value as unknown;
    expect(typeof original).toBe('function');
    expect(Handlers.prototype.reserve).toBe(original);
    const entries = storage.entries.filter((entry) => entry.owner === Handlers.prototype);
    expect(entries).toEqual([
      {
        kind: 'message',
        owner: Handlers.prototype,
        className: 'Handlers',
        member: 'reserve',
        isStatic: false,
        isMethod: true,
        options: { topic: 'order-created', group: 'stock-service' },
      },
      {
        kind: 'dead-letter',
        owner: Handlers.prototype,
        className: 'Handlers',
        member: 'parked',
        isStatic: false,
        isMethod: true,
        options: { group: 'stock-service' },
      },
    ]);
    // What was recorded is a copy: changing the caller's object later changes nothing.
    (options as { maxRetries: number }).maxRetries = 99;
    const recorded = storage.entries.find((entry) => entry.className === 'PaymentHandlers');
    expect(recorded?.options).toEqual({ topic: 'order-created', group: 'payment-service', maxRetries: 5 });
    expect(Object.isFrozen(recorded?.options)).toBe(true);
  });

  it('records into the scoped storage only', () => {
    const scoped = new KeelMetadataStorage();
    withKeelMetadataStorage(scoped, () => {
      class Scoped {
        @OnMessage({ topic: 't', group: 'g' })
        async handle(): Promise<void> {}
      }
      return Scoped;
    });
    expect(scoped.entries).toHaveLength(1);
    scoped.clear();
    expect(scoped.entries).toEqual([]);
  });
});

describe('validateKeelMetadata', () => {
  it('resolves valid handlers with their defaults', () => {
    const storage = new KeelMetadataStorage();
    const key = (message: { orderId: string }) => message.orderId;
    const { Payments, Stock } = withKeelMetadataStorage(storage, () => {
      class Payments {
        calls: unknown[] = [];
        @OnMessage({ topic: 'order-created', group: 'payment-service', maxRetries: 3, idempotencyKey: key })
        async charge(message: unknown): Promise<void> {
          this.calls.push(message);
        }
        @OnDeadLetter({ group: 'payment-service', topic: 'order-created' })
        async parked(): Promise<void> {}
      }
      class Stock {
        @OnMessage({ topic: 'order-created', group: 'stock-service', tag: 'paid || created', orderly: true })
        async reserve(): Promise<void> {}
      }
      return { Payments, Stock };
    });
    const payments = new Payments();
    const result = validateKeelMetadata([payments, new Stock()], { storage });
    expect(result.messageHandlers).toEqual([
      expect.objectContaining({
        className: 'Payments',
        method: 'charge',
        topic: 'order-created',
        group: 'payment-service',
        tag: '*',
        orderly: false,
        maxRetries: 3,
        idempotencyKey: key,
      }),
      expect.objectContaining({ className: 'Stock', tag: 'paid || created', orderly: true, maxRetries: 16 }),
    ]);
    expect(result.deadLetterHandlers).toEqual([
      expect.objectContaining({
        className: 'Payments',
        method: 'parked',
        group: 'payment-service',
        topic: 'order-created',
      }),
    ]);
    // invoke calls the method on its instance.
    void result.messageHandlers[0]?.invoke('m');
    expect(payments.calls).toEqual(['m']);
  });

  it('names class, method and fix for each bad option, all at once', () => {
    const storage = new KeelMetadataStorage();
    const Bad = withKeelMetadataStorage(storage, () => {
      class Bad {
        @OnMessage({ topic: 'orders', group: 'g', maxRetries: -1 })
        async negative(): Promise<void> {}
        @OnMessage({ topic: 'orders2', group: 'g', maxRetries: 17 })
        async tooMany(): Promise<void> {}
        @OnMessage({ topic: 'orders3' } as OnMessageOptions)
        async noGroup(): Promise<void> {}
        @OnMessage({ topic: 'has space', group: 'g' })
        async badTopic(): Promise<void> {}
        @OnMessage({ topic: '%DLQ%g', group: 'g' })
        async dlqTopic(): Promise<void> {}
        @OnMessage({ topic: 'orders4', group: 'g', maxRetires: 3 } as OnMessageOptions)
        async typo(): Promise<void> {}
        @OnMessage({
          topic: 'orders5',
          group: 'g',
          idempotencyKey: 'id' as 'messageId',
          orderly: 'yes' as unknown as boolean,
          nonRetriable: true as unknown as () => boolean,
        })
        async badKinds(): Promise<void> {}
      }
      return Bad;
    });
    expect(problemsOf([new Bad()], storage)).toEqual([
      "Bad.negative: @OnMessage maxRetries must be a whole number from 0 to 16 (RocketMQ's retry schedule), got -1",
      "Bad.tooMany: @OnMessage maxRetries must be a whole number from 0 to 16 (RocketMQ's retry schedule), got 17",
      'Bad.noGroup: @OnMessage group is missing; add group: "<consumer group>"',
      'Bad.badTopic: @OnMessage topic "has space" is not a topic name; use 1-127 characters of [%|a-zA-Z0-9_-]',
      'Bad.dlqTopic: @OnMessage topic %DLQ%g is a dead-letter queue; receive dead letters with @OnDeadLetter({ group })',
      'Bad.typo: @OnMessage unknown option maxRetires, did you mean maxRetries?',
      'Bad.badKinds: @OnMessage orderly must be true or false, got "yes"',
      `Bad.badKinds: @OnMessage idempotencyKey must be 'messageId', 'key' or a function (message) => string, got "id"`,
      'Bad.badKinds: @OnMessage nonRetriable must be a function (error) => boolean, got true',
    ]);
  });

  it('rejects two handlers for one group and topic, and mixed orderly/concurrent groups', () => {
    const storage = new KeelMetadataStorage();
    const { A, B } = withKeelMetadataStorage(storage, () => {
      class A {
        @OnMessage({ topic: 'orders', group: 'billing' })
        async first(): Promise<void> {}
      }
      class B {
        @OnMessage({ topic: 'orders', group: 'billing' })
        async second(): Promise<void> {}
        @OnMessage({ topic: 'refunds', group: 'billing', orderly: true })
        async refunds(): Promise<void> {}
      }
      return { A, B };
    });
    expect(problemsOf([new A(), new B()], storage)).toEqual([
      'B.second: handles topic orders in group billing, as A.first already does; a group delivers each message to one handler: merge them or give one its own group',
      'B.refunds: is orderly but A.first in group billing is concurrent; a consumer group consumes one way: make them agree or use two groups',
    ]);
  });

  it('rejects dead-letter receivers that could never be called, with a did-you-mean', () => {
    const storage = new KeelMetadataStorage();
    const H = withKeelMetadataStorage(storage, () => {
      class H {
        @OnMessage({ topic: 'orders', group: 'payment-service' })
        async charge(): Promise<void> {}
        @OnDeadLetter({ group: 'payment-servce' })
        async typoGroup(): Promise<void> {}
        @OnDeadLetter({ group: 'payment-service', topic: 'refunds' })
        async otherTopic(): Promise<void> {}
        @OnDeadLetter({ group: 'payment-service' })
        async first(): Promise<void> {}
        @OnDeadLetter({ group: 'payment-service' })
        async second(): Promise<void> {}
      }
      return H;
    });
    expect(problemsOf([new H()], storage)).toEqual([
      'H.typoGroup: receives dead letters of group payment-servce, which has no @OnMessage handler here, so it would never be called; did you mean payment-service?',
      'H.otherTopic: receives dead letters of topic refunds, which no @OnMessage handler of group payment-service consumes',
      'H.second: receives the dead letters of group payment-service, as H.first already does',
    ]);
  });

  it('rejects decorators on non-methods, static handlers, and a method with both kinds', () => {
    const storage = new KeelMetadataStorage();
    const H = withKeelMetadataStorage(storage, () => {
      class H {
        @OnMessage({ topic: 'orders', group: 'g' })
        async ok(): Promise<void> {}
        @OnMessage({ topic: 'orders2', group: 'g' })
        static async onClass(): Promise<void> {}
        @OnMessage({ topic: 'orders3', group: 'g' })
        @OnDeadLetter({ group: 'g' })
        async both(): Promise<void> {}
      }
      // A decorated property, as plain JavaScript (or a cast) can produce.
      (OnMessage({ topic: 'orders4', group: 'g' }) as (target: object, member: string) => void)(
        H.prototype,
        'field',
      );
      (Transactional() as (target: object, member: string) => void)(H.prototype, 'notAMethod');
      return H;
    });
    expect(problemsOf([new H()], storage)).toEqual([
      'H.notAMethod: @Transactional() is on a property or accessor; put it on a method',
      'H.both: has both @OnMessage and @OnDeadLetter; a dead-letter receiver must be a method of its own',
      'H.field: @OnMessage is on a property or accessor; put it on a method',
      'H.onClass: @OnMessage is on a static method; handlers are instance methods',
    ]);
  });

  it('names handler arguments that are not handler instances', () => {
    const storage = new KeelMetadataStorage();
    const H = withKeelMetadataStorage(storage, () => {
      class H {
        @OnMessage({ topic: 'orders', group: 'g' })
        async handle(): Promise<void> {}
      }
      return H;
    });
    class Plain {}
    const h = new H();
    expect(problemsOf([H, null, new Plain(), h, h], storage)).toEqual([
      'handlers[0]: is the class H, not an instance; pass new H(...)',
      'handlers[1]: is null; pass instances of classes with @OnMessage or @OnDeadLetter methods',
      'handlers[2]: Plain has no @OnMessage or @OnDeadLetter method; was the right object passed?',
      'handlers[4]: H instance is passed twice',
    ]);
  });

  it('lets a subclass override an inherited handler', () => {
    const storage = new KeelMetadataStorage();
    const Child = withKeelMetadataStorage(storage, () => {
      class Parent {
        @OnMessage({ topic: 'orders', group: 'g' })
        async handle(): Promise<string> {
          return 'parent';
        }
      }
      class Child extends Parent {
        @OnMessage({ topic: 'orders', group: 'g', maxRetries: 2 })
        override async handle(): Promise<string> {
          return 'child';
        }
      }
      return Child;
    });
    const { messageHandlers } = validateKeelMetadata([new Child()], { storage });
    expect(messageHandlers).toHaveLength(1);
    expect(messageHandlers[0]?.maxRetries).toBe(2);
    return expect(messageHandlers[0]?.invoke()).resolves.toBe('child');
  });

  it('checks @Transactional() options', () => {
    const storage = new KeelMetadataStorage();
    withKeelMetadataStorage(storage, () => {
      class Service {
        @Transactional({ isolation: 'SERIALISABLE' as 'SERIALIZABLE' })
        async place(): Promise<void> {}
      }
      return Service;
    });
    expect(problemsOf([], storage)).toEqual([
      'Service.place: @Transactional() isolation "SERIALISABLE" is not one of READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SERIALIZABLE; did you mean SERIALIZABLE?',
    ]);
  });
});
