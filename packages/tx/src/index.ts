// Public entry of @keel/tx.
export * from './pglite/index';
