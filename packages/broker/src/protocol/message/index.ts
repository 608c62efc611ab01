// Message encoding shared by the send, pull and store paths: the stored record, its properties
// string, ids, hashes and checksums (fact sheet §3, §4.3–4.4).
export * from './crc32';
export * from './host-address';
export * from './java-long';
export * from './java-string-hash';
export * from './message-const';
export * from './message-errors';
export * from './message-id';
export * from './message-properties';
export * from './message-sys-flag';
export * from './stored-message';
export * from './stored-message-decoder';
export * from './stored-message-layout';
