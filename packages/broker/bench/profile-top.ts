// `node packages/broker/bench/dist/profile-top.js <file.cpuprofile> [top]`: the functions and files
// with the most self time in a CPU profile, as shares of busy time (see cpu-profile-summary.ts).
import { readFileSync } from 'node:fs';
import { fmt } from './bench-util';
import { summarizeCpuProfile, type CpuProfile, type SelfTime } from './cpu-profile-summary';

function print(title: string, rows: readonly SelfTime[]): void {
  console.log(`| ${title} | self ms | share of busy |`);
  console.log('|---|---:|---:|');
  for (const row of rows)
    console.log(`| ${row.name} | ${fmt(row.micros / 1000, 1)} | ${fmt(100 * row.share, 1)}% |`);
  console.log('');
}

const [path, top] = process.argv.slice(2);
if (path === undefined) {
  console.error('usage: profile-top <file.cpuprofile> [top]');
  process.exitCode = 2;
} else {
  const summary = summarizeCpuProfile(
    JSON.parse(readFileSync(path, 'utf8')) as CpuProfile,
    Number(top ?? 20),
  );
  console.log(`busy ${fmt(summary.busyMicros / 1000)} ms, idle ${fmt(summary.idleMicros / 1000)} ms\n`);
  print('function', summary.functions);
  print('file', summary.files);
}
