// The class name of an instance, for messages that name what was passed ("OrderService instance
// is passed twice"); undefined for an object of an anonymous class or none.

export function classNameOf(instance: object): string | undefined {
  const name = (instance as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
