// A processor's response that cannot be framed (a body past the 16 MiB frame limit) still answers
// the request, with SYSTEM_ERROR saying why, whether it is returned at once, from a promise or
// later through respondLater. Found by the live-broker fuzz (a QUERY_MESSAGE whose records add up
// past the limit went unanswered and surfaced as an unhandled rejection).

import { systemClock } from '../../src/common/clock';
import { DEFAULT_MAX_FRAME_LENGTH_BYTES } from '../../src/protocol/remoting/frame-layout';
import { createRequest, createResponse } from '../../src/protocol/remoting/remoting-command';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { ProcessorTable, RemotingClient, RemotingServer, type ProcessorFailure } from '../../src/transport';

const SYNC = 9101;
const ASYNC = 9102;
const LATER = 9103;

describe('RemotingServer with a response too large to frame', () => {
  let server: RemotingServer;
  let client: RemotingClient;
  const failures: ProcessorFailure[] = [];
  const tooLarge = Buffer.alloc(DEFAULT_MAX_FRAME_LENGTH_BYTES);

  beforeAll(async () => {
    const processors = new ProcessorTable()
      .register(SYNC, (req) => createResponse(req, ResponseCode.SUCCESS, undefined, { body: tooLarge }))
      .register(ASYNC, async (req) => {
        await Promise.resolve();
        return createResponse(req, ResponseCode.SUCCESS, undefined, { body: tooLarge });
      })
      .register(LATER, (req, context) => {
        setImmediate(() =>
          context.respondLater(createResponse(req, ResponseCode.SUCCESS, undefined, { body: tooLarge })),
        );
        return undefined;
      });
    server = await RemotingServer.listen({
      name: 'test',
      clock: systemClock,
      processors,
      port: 0,
      host: '127.0.0.1',
    });
    server.on('processorError', (failure) => failures.push(failure));
    client = new RemotingClient({ clock: systemClock });
  });

  afterAll(async () => {
    await client.close();
    await server.close({ graceMs: 0 });
  });

  it.each([
    ['returned at once', SYNC],
    ['resolved from a promise', ASYNC],
    ['sent later', LATER],
  ])('answers SYSTEM_ERROR naming the limit when the response is %s', async (_how, code) => {
    failures.length = 0;
    const response = await client.invoke(
      `127.0.0.1:${server.port}`,
      createRequest({ code, opaque: 0 }),
      3000,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/response cannot be sent: .*exceeds the limit of 16777216/);
    expect(failures.map((failure) => failure.request.code)).toEqual([code]);
  });
});
