// Headers of QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33) (fact sheet §2.9).
//
// `_UNIQUE_KEY_QUERY` is not a field of QueryMessageRequestHeader: the client adds it to the ext
// fields (MixAll.UNIQUE_MSG_QUERY_FLAG) to say `key` is a UNIQ_KEY, so the broker answers with
// `defaultQueryMaxNum` results. It is modelled here as the field `uniqueKeyQuery`, false when absent.

import { defineHeader, type HeaderOf } from './header-codec';
import { boolean, int, long, string, wireName, withDefault } from './header-fields';

export const UNIQUE_KEY_QUERY_FIELD = '_UNIQUE_KEY_QUERY';

export const QueryMessageRequestHeader = defineHeader('QueryMessageRequestHeader', {
  topic: string(),
  key: string(),
  maxNum: int(),
  beginTimestamp: long(),
  endTimestamp: long(),
  uniqueKeyQuery: wireName(withDefault(boolean(), false), UNIQUE_KEY_QUERY_FIELD),
});
export type QueryMessageRequestHeader = HeaderOf<typeof QueryMessageRequestHeader>;

export const QueryMessageResponseHeader = defineHeader('QueryMessageResponseHeader', {
  indexLastUpdateTimestamp: long(),
  indexLastUpdatePhyoffset: long(),
});
export type QueryMessageResponseHeader = HeaderOf<typeof QueryMessageResponseHeader>;

export const ViewMessageRequestHeader = defineHeader('ViewMessageRequestHeader', {
  /** Commit-log physical offset, taken from an offset message id. */
  offset: long(),
});
export type ViewMessageRequestHeader = HeaderOf<typeof ViewMessageRequestHeader>;
