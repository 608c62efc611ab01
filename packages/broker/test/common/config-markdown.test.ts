import { renderConfigMarkdown } from '../../src/common/config/markdown';
import { defineConfigSchema } from '../../src/common/config/schema';

describe('renderConfigMarkdown', () => {
  it('renders key, type with bounds, default and doc with aliases, one row per option in order', () => {
    const schema = defineConfigSchema({
      name: 'broker',
      options: {
        brokerName: { type: 'string', doc: 'Name shared by a master and its slaves.' },
        listenPort: { type: 'int', default: 10911, min: 1, max: 65535, doc: 'Remoting port.' },
        brokerId: { type: 'long', default: 0, min: 0, doc: 'Broker id.' },
        brokerRole: {
          type: 'enum',
          values: ['ASYNC_MASTER', 'SLAVE'],
          default: 'ASYNC_MASTER',
          doc: 'Role.',
        },
        mappedFileSizeCommitLog: {
          type: 'int',
          default: 1073741824,
          aliases: ['mapedFileSizeCommitLog'],
          doc: 'Segment size in bytes.',
        },
        namesrvAddr: { type: 'list', separator: ';', optional: true, doc: 'Name servers.' },
        topics: { type: 'list', default: ['a', 'b'], doc: 'A | B.' },
        enabled: { type: 'boolean', default: false, doc: 'Two\nlines.' },
        prefix: { type: 'string', default: '', doc: 'Prefix.' },
      },
    });
    expect(renderConfigMarkdown(schema)).toBe(
      [
        '| key | type | default | description |',
        '|---|---|---|---|',
        '| `brokerName` | string | (required) | Name shared by a master and its slaves. |',
        '| `listenPort` | int (1 to 65535) | `10911` | Remoting port. |',
        '| `brokerId` | long (0 to …) | `0` | Broker id. |',
        '| `brokerRole` | one of `ASYNC_MASTER`, `SLAVE` | `ASYNC_MASTER` | Role. |',
        '| `mappedFileSizeCommitLog` | int | `1073741824` | Segment size in bytes. Also accepted as `mapedFileSizeCommitLog`. |',
        '| `namesrvAddr` | list (separated by `;`) | (not set) | Name servers. |',
        '| `topics` | list (separated by `,`) | `a,b` | A \\| B. |',
        '| `enabled` | boolean | `false` | Two lines. |',
        '| `prefix` | string | (empty) | Prefix. |',
        '',
      ].join('\n'),
    );
  });
});
