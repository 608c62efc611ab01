// Renders a schema as the Markdown table docs/configuration.md shows, so the docs are generated
// from the same declaration the resolver checks and cannot drift from it.

import type { ConfigSchema, OptionSpec, OptionSpecs } from './schema';

export function renderConfigMarkdown<O extends OptionSpecs>(schema: ConfigSchema<O>): string {
  const rows = Object.entries(schema.options).map(([key, spec]) =>
    [code(key), describeType(spec), describeDefault(spec), describeDoc(spec)].map(cell),
  );
  return [
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

function describeType(spec: OptionSpec): string {
  switch (spec.type) {
    case 'int':
    case 'long':
    case 'number': {
      if (spec.min === undefined && spec.max === undefined) return spec.type;
      return `${spec.type} (${spec.min ?? '…'} to ${spec.max ?? '…'})`;
    }
    case 'enum':
      return `one of ${spec.values.map(code).join(', ')}`;
    case 'list':
      return `list (separated by ${code(spec.separator ?? ',')})`;
    default:
      return spec.type;
  }
}

function describeDefault(spec: OptionSpec): string {
  if (spec.default === undefined) return spec.optional === true ? '(not set)' : '(required)';
  if (spec.type === 'list') return code(spec.default?.join(spec.separator ?? ',') ?? '');
  return code(String(spec.default));
}

function describeDoc(spec: OptionSpec): string {
  const aliases = spec.aliases ?? [];
  if (aliases.length === 0) return spec.doc;
  return `${spec.doc} Also accepted as ${aliases.map(code).join(', ')}.`;
}

function code(text: string): string {
  return text === '' ? '(empty)' : `\`${text}\``;
}

// A `|` would end the cell and a newline the row, even inside backticks.
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
