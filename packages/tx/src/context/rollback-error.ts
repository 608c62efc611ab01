// A rollback that failed after the transaction had already failed. The caller must get the
// original error, unchanged (same object, same class, same message): that is what tells them what
// went wrong. The rollback's own failure is attached to it here, readable with rollbackErrorOf,
// and also reported. A WeakMap rather than a property, so the error object is not touched at all
// (and a frozen error or a thrown string works the same way).

const rollbackErrors = new WeakMap<object, unknown>();

/** @internal */
export function attachRollbackError(error: unknown, rollbackError: unknown): void {
  if (typeof error === 'object' && error !== null) rollbackErrors.set(error, rollbackError);
}

/** The error of the ROLLBACK that followed `error`, when that rollback failed too. */
export function rollbackErrorOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? rollbackErrors.get(error) : undefined;
}
