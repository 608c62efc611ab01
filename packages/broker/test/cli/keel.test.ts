import { runKeel } from '../../src/cli/keel';
import type { CliIo } from '../../src/cli/command';

function capture(): { out: string[]; err: string[]; io: CliIo } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

describe('keel CLI', () => {
  it('prints usage for --help and exits 0', async () => {
    const c = capture();
    expect(await runKeel(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/^Usage: keel <command>/);
  });

  it('names an unknown command and how to list the known ones', async () => {
    const c = capture();
    expect(await runKeel(['brokr'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("unknown command 'brokr'");
    expect(c.err.join('\n')).toContain('keel --help');
  });
});
