import { summarizeCpuProfile, type CpuProfile } from '../../bench/cpu-profile-summary';

function frame(id: number, functionName: string, url = '', lineNumber = -1) {
  return { id, callFrame: { functionName, url, lineNumber } };
}

// Node ids: 1 idle, 2 and 3 JavaScript in two files, 4 the garbage collector, 5 a native function.
const profile: CpuProfile = {
  nodes: [
    frame(1, '(idle)'),
    frame(2, 'decodeCommand', 'file:///keel/dist/protocol/remoting/command-decoder.js', 11),
    frame(3, 'jsonHeaderText', 'file:///keel/dist/protocol/remoting/json-header.js', 31),
    frame(4, '(garbage collector)'),
    frame(5, 'writeBuffer'),
  ],
  // timeDeltas[i] is the time before sample i, so sample i lasts timeDeltas[i + 1].
  samples: [2, 1, 3, 3, 4, 5, 2],
  timeDeltas: [999, 10, 500, 20, 30, 40, 50],
};

describe('summarizeCpuProfile', () => {
  const summary = summarizeCpuProfile(profile);

  it('charges each sample the delta to the next one and leaves idle time out of busy time', () => {
    // decodeCommand: 10 (the last sample has no next delta); idle 500; jsonHeaderText 20 + 30.
    expect(summary.idleMicros).toBe(500);
    expect(summary.busyMicros).toBe(10 + 20 + 30 + 40 + 50);
  });

  it('ranks functions by self time, labelled by file and 1-based line, natives by name', () => {
    expect(summary.functions.map((f) => [f.name, f.micros])).toEqual([
      ['jsonHeaderText json-header.js:32', 50],
      ['writeBuffer (native)', 50],
      ['(garbage collector)', 40],
      ['decodeCommand command-decoder.js:12', 10],
    ]);
    expect(summary.functions[0]!.share).toBeCloseTo(50 / 150);
  });

  it('adds up self time per file, natives together', () => {
    expect(Object.fromEntries(summary.files.map((f) => [f.name, f.micros]))).toEqual({
      'json-header.js': 50,
      '(native)': 50,
      '(garbage collector)': 40,
      'command-decoder.js': 10,
    });
  });

  it('keeps only the top entries', () => {
    expect(summarizeCpuProfile(profile, 2).functions).toHaveLength(2);
  });

  it('refuses a sample of a node the profile does not have', () => {
    expect(() => summarizeCpuProfile({ ...profile, samples: [9] })).toThrow(/unknown node 9/);
  });
});
