// Start-up checks of the runtime's `services`: each must be an instance (not a class) passed once,
// whose class (or an ancestor) has a @Transactional() method; otherwise the wrong object was
// probably passed, and its methods would silently run without a transaction.

import { getKeelMetadataStorage, type KeelMetadataStorage } from './metadata-storage';
import type { MetadataProblem } from './validate-metadata';
import { classNameOf } from './class-name';

export function serviceProblems(
  services: readonly object[],
  storage: KeelMetadataStorage = getKeelMetadataStorage(),
): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const seen = new Set<object>();
  services.forEach((service, index) => {
    const where = `services[${index}]`;
    if (seen.has(service)) {
      problems.push({ where, message: `${classNameOf(service) ?? 'the object'} instance is passed twice` });
      return;
    }
    seen.add(service);
    if (!hasTransactionalMethod(service, storage)) {
      problems.push({
        where,
        message: `${classNameOf(service) ?? 'the object'} has no @Transactional() method; was the right object passed?`,
      });
    }
  });
  return problems;
}

function hasTransactionalMethod(instance: object, storage: KeelMetadataStorage): boolean {
  for (
    let owner = Object.getPrototypeOf(instance) as object | null;
    owner !== null;
    owner = Object.getPrototypeOf(owner) as object | null
  ) {
    if (storage.entriesOf(owner).some((entry) => entry.kind === 'transactional' && entry.isMethod))
      return true;
  }
  return false;
}
