// KeelRuntime.start refuses what cannot work before connecting to anything: every problem of the
// options in one error (unknown keys with a suggestion, bad values, client tuning), decorator and
// service problems naming class and method, and missing tables naming both ways to create them.

import 'reflect-metadata';
import { describeWithDatabase } from '@keel/test-support';
import {
  KeelMetadataError,
  KeelRuntime,
  KeelRuntimeConfigError,
  OnMessage,
  Transactional,
  TxErrorCodes,
  type KeelRuntimeOptions,
} from '@keel/tx';
import { DataSource } from 'typeorm';
import { Note, openTxDataSource, rejectionOf } from '../tx-fixtures';

class Service {
  @Transactional()
  async run(): Promise<void> {}
}

class NotAService {
  async run(): Promise<void> {}
}

class BadHandlers {
  @OnMessage({ topic: 'has space', group: 'g' })
  async handle(): Promise<void> {}
}

describeWithDatabase('KeelRuntime.start validation', (db) => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTxDataSource(db());
  });
  afterAll(() => dataSource?.destroy());

  const start = (options: Record<string, unknown>) =>
    rejectionOf(KeelRuntime.start(options as unknown as KeelRuntimeOptions));

  it('lists every option problem at once, with did-you-mean for unknown keys', async () => {
    const caught = await start({
      dataSource,
      nameServer: 'localhost',
      producerGroup: 'has space',
      handlers: [BadHandlers],
      checkLockTimeoutMs: 0,
      inboxRetentionMs: 1.5,
      barrierRetentionMs: 3_600_000,
      ensureTable: true,
      consumer: { consumeThreadMaxx: 4 },
      serializer: { serialize: () => Buffer.from('x') },
    });
    expect(caught).toBeInstanceOf(KeelRuntimeConfigError);
    expect((caught as KeelRuntimeConfigError).code).toBe(TxErrorCodes.CONFIG_INVALID);
    expect((caught as KeelRuntimeConfigError).problems).toEqual([
      'unknown option ensureTable, did you mean ensureTables?',
      'nameServer must be "host:port" (or several, ";"-separated or a list), got "localhost"',
      'producerGroup "has space" is not a group name; use 1-255 characters of [%|a-zA-Z0-9_-]',
      'handlers[0] is a class, not an instance; pass new BadHandlers(...)',
      'serializer must be an object { serialize(value): Buffer; deserialize(bytes): unknown }',
      'checkLockTimeoutMs must be a whole number of ms from 1 to 2147483647, got 0',
      'inboxRetentionMs must be a whole number of ms from 1 to 9007199254740991, got 1.5',
      'barrierRetentionMs must be a whole number of ms of at least 86400000 (1 day), got 3600000; a barrier ' +
        'row must outlive every check-back of its half messages (about 4 days with RocketMQ defaults: keep ' +
        'the default 7 days unless the broker keeps its commit log shorter)',
      'unknown option consumer.consumeThreadMaxx, did you mean consumer.consumeThreadMax?',
    ]);
    expect((caught as Error).message).toMatch(
      /^KeelRuntime.start: invalid options \(9 problems\):\n {2}unknown option/,
    );
  });

  it('refuses a DataSource that is not initialized', async () => {
    const idle = new DataSource(db().dataSourceOptions([Note]));
    const caught = await start({ dataSource: idle, nameServer: '127.0.0.1:9876', producerGroup: 'g' });
    expect((caught as KeelRuntimeConfigError).problems).toEqual([
      'dataSource is not initialized: await dataSource.initialize() before KeelRuntime.start',
    ]);
  });

  it('names class and method of decorator problems and services without @Transactional()', async () => {
    const caught = await start({
      dataSource,
      nameServer: '127.0.0.1:9876',
      producerGroup: 'g',
      services: [new Service(), new NotAService()],
      handlers: [new BadHandlers()],
    });
    expect(caught).toBeInstanceOf(KeelMetadataError);
    expect((caught as KeelMetadataError).problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      'services[1]: NotAService has no @Transactional() method; was the right object passed?',
      'BadHandlers.handle: @OnMessage topic "has space" is not a topic name; use 1-127 characters of [%|a-zA-Z0-9_-]',
    ]);
  });

  it('reports a bad client setting as a configuration problem', async () => {
    const caught = await start({
      dataSource,
      nameServer: '127.0.0.1:9876',
      producerGroup: 'g',
      handlers: [],
      consumer: { consumeThreadMax: 0 },
      services: [new Service()],
      producer: { sendTimeoutMs: -5 },
    });
    expect(caught).toBeInstanceOf(KeelRuntimeConfigError);
    expect((caught as Error).message).toMatch(/sendTimeoutMs/);
  });

  it("names both ways to create Keel's tables when they are missing", async () => {
    const bare = await new DataSource(db().dataSourceOptions([Note], { extra: {} })).initialize();
    try {
      const caught = await start({
        dataSource: bare,
        nameServer: '127.0.0.1:9876',
        producerGroup: 'g',
        tables: { prefix: 'missing_' },
      });
      expect((caught as { code?: unknown }).code).toBe(TxErrorCodes.TABLES_MISSING);
      expect((caught as Error).message).toMatch(/KeelTablesMigration .* ensureKeelTables/);
    } finally {
      await bare.destroy();
    }
  });
});
