export { closestMatch, editDistance, suggestionThreshold } from './did-you-mean';
export { renderConfigMarkdown } from './markdown';
export {
  resolveConfig,
  resolveConfigFromProperties,
  type ConfigEntry,
  type ConfigInput,
  type ResolveConfigOptions,
} from './resolve';
export {
  defineConfigSchema,
  type BooleanOption,
  type ConfigOf,
  type ConfigRule,
  type ConfigSchema,
  type EnumOption,
  type IntOption,
  type ListOption,
  type LongOption,
  type NumberOption,
  type OptionSpec,
  type OptionSpecs,
  type OptionType,
  type OptionValue,
  type ResolvedConfig,
  type RuleViolation,
  type StringOption,
} from './schema';
