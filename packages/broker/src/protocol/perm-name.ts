// Topic permission bits, as RocketMQ's PermName.java defines them. A topic's `perm` and a broker's
// `brokerPermission` are ORs of these; RW (6) is the usual value.

export const PermName = {
  PRIORITY: 8,
  READ: 4,
  WRITE: 2,
  /** The topic may serve as a template for topics auto-created on send (TBW102). */
  INHERIT: 1,
} as const;

/** READ | WRITE: what ordinary topics get. */
export const PERM_READ_WRITE = PermName.READ | PermName.WRITE;

export function isReadable(perm: number): boolean {
  return (perm & PermName.READ) === PermName.READ;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.WRITE) === PermName.WRITE;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.INHERIT) === PermName.INHERIT;
}

export function isPriority(perm: number): boolean {
  return (perm & PermName.PRIORITY) === PermName.PRIORITY;
}

/** `perm` without the INHERIT bit: what a topic created from a template gets. */
export function withoutInherit(perm: number): number {
  return perm & ~PermName.INHERIT;
}

/** "RWX"-style text for logs and remarks, e.g. 6 → "RW-", 7 → "RWX" (RocketMQ's perm2String). */
export function permToString(perm: number): string {
  return (isReadable(perm) ? 'R' : '-') + (isWriteable(perm) ? 'W' : '-') + (isInherited(perm) ? 'X' : '-');
}
