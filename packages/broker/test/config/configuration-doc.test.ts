import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigurationDoc } from '../../src/config/configuration-doc';

describe('docs/configuration.md', () => {
  it('is what the schemas generate (run `npm run docs:config` after changing a schema)', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    expect(readFileSync(join(root, 'docs', 'configuration.md'), 'utf8')).toBe(renderConfigurationDoc());
  });
});
