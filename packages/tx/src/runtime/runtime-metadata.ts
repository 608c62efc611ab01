// The start-up check of what a runtime is given: every problem of the handlers' decorators
// (validateKeelMetadata) and of the services, in one KeelMetadataError naming class and method.

import { serviceProblems } from '../metadata/validate-services';
import {
  KeelMetadataError,
  validateKeelMetadata,
  type MetadataProblem,
  type ValidatedKeelMetadata,
} from '../metadata/validate-metadata';

export function validateRuntimeMetadata(
  services: readonly object[],
  handlers: readonly object[],
): ValidatedKeelMetadata {
  const problems: MetadataProblem[] = serviceProblems(services);
  let metadata: ValidatedKeelMetadata | undefined;
  try {
    metadata = validateKeelMetadata(handlers);
  } catch (error: unknown) {
    if (!(error instanceof KeelMetadataError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || metadata === undefined) throw new KeelMetadataError(problems);
  return metadata;
}
