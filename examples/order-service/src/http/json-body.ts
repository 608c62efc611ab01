// Reading a JSON request body with a size limit, so a huge or endless body cannot exhaust memory.

import type { IncomingMessage } from 'node:http';
import { invalidRequest } from '../errors';

export const MAX_BODY_BYTES = 16 * 1024;

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw invalidRequest(
        'body',
        `the body is larger than ${MAX_BODY_BYTES} bytes; an order is a few dozen`,
      );
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    throw invalidRequest('body', 'the body is empty; send {userId, sku, qty, couponId?}');
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw invalidRequest(
      'body',
      `the body is not JSON (${error instanceof Error ? error.message : 'parse error'})`,
    );
  }
}
