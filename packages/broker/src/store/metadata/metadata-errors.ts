import { KeelError } from '../../common/errors';

/** Codes of the metadata files' own errors (unusable files surface as StoreCorruptionError). */
export const MetadataErrorCodes = {
  FORMAT: 'METADATA_FORMAT',
} as const;

/**
 * One metadata file's text is not what Keel can load: not (fastjson-dialect) JSON, or JSON of the
 * wrong shape. Loading treats it as a damaged file and falls back to the `.bak` copy; only when
 * both copies fail does the caller see a StoreCorruptionError (with this error as its cause).
 */
export class MetadataFormatError extends KeelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(MetadataErrorCodes.FORMAT, message, { retriable: false, cause: options.cause });
  }
}
