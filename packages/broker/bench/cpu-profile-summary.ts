// Self time per function and per source file of a V8 CPU profile (`node --cpu-prof`), so a
// benchmark's write-up can name where the CPU goes without opening DevTools.
//
// A sample's time is the delta to the next sample (V8's timeDeltas are shifted by one: delta[i]
// is the time before sample i, so sample i's own time is delta[i + 1]). Idle time, i.e. the event
// loop waiting, is left out of the shares: they are shares of busy time.

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly micros: number;
  /** Of busy (non-idle) time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMicros: number;
  readonly idleMicros: number;
  readonly functions: readonly SelfTime[];
  readonly files: readonly SelfTime[];
}

const IDLE = '(idle)';

/** The file name after the last `/`, or the V8 pseudo-frame such as `(garbage collector)`. */
function fileOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  return url.slice(url.lastIndexOf('/') + 1);
}

/** `name file:line` for JavaScript; a native function by its name; a pseudo-frame as is. */
function functionLabel(functionName: string, url: string, file: string, lineNumber: number): string {
  if (url !== '') return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  return functionName.startsWith('(') ? functionName : `${functionName || '(anonymous)'} (native)`;
}

function ranked(totals: Map<string, number>, busyMicros: number, top: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => ({ name, micros, share: busyMicros === 0 ? 0 : micros / busyMicros }));
}

export function summarizeCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyMicros = 0;
  let idleMicros = 0;
  profile.samples.forEach((nodeId, i) => {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const frame = frames.get(nodeId);
    if (frame === undefined) throw new Error(`profile sample ${i} names unknown node ${nodeId}`);
    if (frame.functionName === IDLE) {
      idleMicros += micros;
      return;
    }
    busyMicros += micros;
    const file = fileOf(frame.url, frame.functionName);
    const name = functionLabel(frame.functionName, frame.url, file, frame.lineNumber);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byFile.set(file, (byFile.get(file) ?? 0) + micros);
  });
  return {
    busyMicros,
    idleMicros,
    functions: ranked(byFunction, busyMicros, top),
    files: ranked(byFile, busyMicros, top),
  };
}
