import { decodeStoredMessage } from '../../src/protocol/message/stored-message-decoder';
import { openStore, putRequest } from './store-fixtures';

describe('MessageStore.readRecordBytes', () => {
  it('returns the whole record as stored at a record offset, and undefined past the end', async () => {
    const store = await openStore();
    await store.putMessage(putRequest({ body: 'first' }));
    const second = await store.putMessage(putRequest({ body: 'second' }));
    const bytes = await store.readRecordBytes(second.physicalOffset);
    expect(bytes).toHaveLength(second.totalSize);
    const decoded = decodeStoredMessage(bytes!, 0);
    expect(decoded.kind === 'message' && decoded.message.body?.toString()).toBe('second');
    expect(await store.readRecordBytes(second.physicalOffset + second.totalSize)).toBeUndefined();
    await store.close();
  });
});
