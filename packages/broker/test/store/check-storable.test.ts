// MessageStore.checkStorable answers what a put of the same message would (END_TRANSACTION asks it
// before appending the op record that must not be left without its committed message).

import type { PutMessageRequest } from '../../src/store/message-store';
import { openStore, putRequest } from './store-fixtures';

function withFields(put: PutMessageRequest, fields: Partial<PutMessageRequest['fields']>): PutMessageRequest {
  return { ...put, fields: { ...put.fields, ...fields } };
}

describe('MessageStore.checkStorable', () => {
  it.each<[string, PutMessageRequest, string]>([
    ['larger than maxMessageSize', putRequest({ body: 'x'.repeat(2048) }), 'MESSAGE_ILLEGAL'],
    ['with a forbidden character in its topic', putRequest({ topic: 'bad topic' }), 'MESSAGE_ILLEGAL'],
    [
      'with properties over 32767 bytes',
      withFields(putRequest(), { properties: `k\u0001${'v'.repeat(32_767)}\u0002` }),
      'PROPERTIES_SIZE_EXCEEDED',
    ],
    ['with a queue id that is not an int', withFields(putRequest(), { queueId: 2 ** 31 }), 'MESSAGE_ILLEGAL'],
  ])('refuses a message %s with the error a put gives, and appends nothing', async (_name, put, status) => {
    const store = await openStore();
    try {
      const problem = store.checkStorable(put);
      const result = await store.putMessage(put);
      expect(result.status).toBe(status);
      expect(problem).toBeDefined();
      expect(problem).toEqual(result.error);
      expect(store.maxOffsetInQueue(put.fields.topic, put.fields.queueId)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('accepts what a put stores', async () => {
    const store = await openStore();
    try {
      const put = putRequest({ body: 'fits' });
      expect(store.checkStorable(put)).toBeUndefined();
      expect((await store.putMessage(put)).status).toBe('PUT_OK');
    } finally {
      await store.close();
    }
  });
});
