// Public entry of @keel/tx.
export {};
