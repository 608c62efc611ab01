import { connect, type Socket } from 'node:net';

import { systemClock } from '../../src/common/clock';
import { FakeClock } from '../../src/common/fake-clock';
import {
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { encodeFrame } from '../../src/protocol/remoting/frame-encoder';
import {
  ConnectionClosedError,
  ProcessorTable,
  RemotingClient,
  RemotingServer,
  RemotingTimeoutError,
  type RequestContext,
} from '../../src/transport';
import { awaitEvent, waitFor } from '../../src/testing/await-event';

const ECHO = 9001;
const FAIL = 9002;
const SLOW = 9003;
const LATER = 9004;
const NEVER = 9005;

function request(code: number, init: Partial<Parameters<typeof createRequest>[0]> = {}): RemotingCommand {
  return createRequest({ code, opaque: 0, ...init });
}

describe('RemotingServer and RemotingClient', () => {
  let server: RemotingServer;
  let client: RemotingClient;
  let address: string;
  const seen: RemotingCommand[] = [];
  const later: Array<{ request: RemotingCommand; context: RequestContext }> = [];
  let releaseSlow: () => void = () => undefined;
  let slowStarted = false;

  beforeEach(async () => {
    seen.length = 0;
    slowStarted = false;
    later.length = 0;
    const processors = new ProcessorTable()
      .register(ECHO, (req) => {
        seen.push(req);
        return createResponse(req, ResponseCode.SUCCESS, req.remark, {
          extFields: req.extFields,
          body: req.body,
        });
      })
      .register(FAIL, () => {
        throw new Error('topic name is empty; give the topic a name');
      })
      .register(SLOW, async (req) => {
        slowStarted = true;
        await new Promise<void>((resolve) => (releaseSlow = resolve));
        return createResponse(req, ResponseCode.SUCCESS, 'slow done');
      })
      .register(LATER, (req, context) => {
        later.push({ request: req, context });
        return undefined;
      })
      .register(NEVER, () => new Promise<undefined>(() => undefined));
    server = await RemotingServer.listen({
      name: 'test server',
      clock: systemClock,
      processors,
      port: 0,
      host: '127.0.0.1',
    });
    client = new RemotingClient({ clock: systemClock });
    address = `127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    releaseSlow();
    await client.close();
    await server.close({ graceMs: 100 });
  });

  it.each(['JSON', 'ROCKETMQ'] as const)(
    'answers in the request serialisation (%s) with its opaque',
    async (type) => {
      const response = await client.invoke(
        address,
        request(ECHO, {
          serializeType: type,
          extFields: { topic: 'T' },
          body: Buffer.from('hi'),
          remark: 'r',
        }),
        3000,
      );
      expect(response).toMatchObject({ code: 0, serializeType: type, remark: 'r' });
      expect(response.extFields.get('topic')).toBe('T');
      expect(response.body.toString()).toBe('hi');
      expect(response.opaque).toBe(seen[0]?.opaque);
    },
  );

  it('answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and a throw with SYSTEM_ERROR', async () => {
    const unknown = await client.invoke(address, request(4242), 3000);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(unknown.remark).toBe(' request type 4242 not supported');
    const failures: unknown[] = [];
    server.on('processorError', ({ error }) => void failures.push(error));
    const failed = await client.invoke(address, request(FAIL), 3000);
    expect(failed.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(failed.remark).toBe('topic name is empty; give the topic a name');
    expect(failures).toHaveLength(1);
  });

  it('never answers a ONEWAY request, not even an unknown one', async () => {
    const unmatched: RemotingCommand[] = [];
    const connection = await client.connection(address);
    connection.on('unmatchedResponse', (r) => void unmatched.push(r));
    connection.sendOneway(request(4242));
    connection.sendOneway(request(FAIL));
    connection.sendOneway(request(ECHO, { remark: 'oneway' }));
    // A request sent after them is answered after them: if they were answered, we would see it.
    const after = await client.invoke(address, request(ECHO, { remark: 'after' }), 3000);
    expect(after.remark).toBe('after');
    expect(seen.map((r) => r.remark)).toEqual(['oneway', 'after']);
    expect(unmatched).toHaveLength(0);
  });

  it('answers a deferred request through respondLater, with the original opaque', async () => {
    const pending = client.invoke(address, request(LATER), 3000);
    await until(() => later.length === 1, 'request held');
    const held = later[0]!;
    held.context.respondLater(createResponse(held.request, ResponseCode.SUCCESS, 'woken'));
    await expect(pending).resolves.toMatchObject({ remark: 'woken' });
  });

  it('lets the server send requests to a client over the client connection', async () => {
    await client.close();
    const notified: RemotingCommand[] = [];
    client = new RemotingClient({
      clock: systemClock,
      onRequest: (req, connection) => {
        notified.push(req);
        connection.send(createResponse(req, ResponseCode.SUCCESS, 'client answered'));
      },
    });
    await client.invoke(address, request(ECHO), 3000);
    const [serverSide] = [...server.connections()];
    const answer = await serverSide!.invoke(request(RequestCode.CHECK_TRANSACTION_STATE), 3000);
    expect(answer.remark).toBe('client answered');
    expect(notified[0]?.code).toBe(RequestCode.CHECK_TRANSACTION_STATE);
  });

  it('times out a request without a response and fails pending requests when the connection closes', async () => {
    await expect(client.invoke(address, request(NEVER), 50)).rejects.toBeInstanceOf(RemotingTimeoutError);
    const pending = client.invoke(address, request(NEVER), 3000);
    await until(() => server.connectionCount === 1, 'server sees the connection');
    for (const connection of server.connections()) connection.destroy('test cut');
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    // The client reconnects on the next call.
    await expect(client.invoke(address, request(ECHO), 3000)).resolves.toMatchObject({ code: 0 });
  });

  it('does not leave a failed reconnect unhandled when an old connection closes after closeConnection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const probe = new RemotingClient({ clock: systemClock });
      const old = await probe.connection(address);
      const oldClosed = new Promise<void>((resolve) => old.once('close', () => resolve()));
      await server.close({ graceMs: 0 });
      probe.closeConnection(address, 'test');
      // A new connect to the closed port fails while the old connection's close is handled.
      await expect(probe.connection(address)).rejects.toThrow(/cannot connect/);
      await oldClosed;
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      await probe.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('closes only the connection that sent a broken frame', async () => {
    await client.invoke(address, request(ECHO), 3000);
    const raw = await rawSocket(server.port);
    const protocolErrors = awaitEvent(server, 'protocolError', { timeoutMs: 3000 });
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    raw.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])); // announces a 2 GiB frame
    const { error } = await protocolErrors;
    expect(error.message).toMatch(/exceeds|limit/);
    await closed;
    await expect(client.invoke(address, request(ECHO), 3000)).resolves.toMatchObject({ code: 0 });
  });

  it('answers a request that arrived split into single bytes', async () => {
    const raw = await rawSocket(server.port);
    const frame = encodeFrame(request(ECHO, { opaque: 77, remark: 'bytes' }));
    const responses: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => responses.push(chunk));
    for (const byte of frame) raw.write(Buffer.from([byte]));
    await until(() => Buffer.concat(responses).length > 8, 'a response');
    expect(Buffer.concat(responses).toString('latin1')).toContain('"opaque":77');
    raw.destroy();
  });

  it('on close, finishes requests in progress and refuses new ones', async () => {
    const slow = client.invoke(address, request(SLOW), 3000);
    await until(() => slowStarted, 'slow request started');
    const closing = server.close({ graceMs: 2000 });
    const refused = await client.invoke(address, request(ECHO), 3000);
    expect(refused.code).toBe(ResponseCode.SYSTEM_BUSY);
    expect(refused.remark).toContain('shutting down');
    releaseSlow();
    await expect(slow).resolves.toMatchObject({ remark: 'slow done' });
    await closing;
  });
});

describe('RemotingServer idle connections', () => {
  it('closes a connection silent for idleTimeoutMs', async () => {
    const clock = new FakeClock();
    const server = await RemotingServer.listen({
      name: 'idle test',
      clock,
      processors: new ProcessorTable().register(ECHO, (req) => createResponse(req, 0)),
      port: 0,
      host: '127.0.0.1',
      idleTimeoutMs: 120_000,
    });
    const client = new RemotingClient({ clock });
    try {
      const connection = await client.connection(`127.0.0.1:${server.port}`);
      await until(() => server.connectionCount === 1, 'server sees the connection');
      const closed = new Promise<string>((resolve) => connection.once('close', resolve));
      clock.advance(110_000);
      expect(server.connectionCount).toBe(1);
      clock.advance(10_000);
      await closed;
      await until(() => server.connectionCount === 0, 'server forgets the connection');
    } finally {
      await client.close();
      await server.close({ graceMs: 0 });
    }
  });
});

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean, description: string): Promise<void> {
  await waitFor(condition, { timeoutMs: 3000, intervalMs: 2, description });
}
