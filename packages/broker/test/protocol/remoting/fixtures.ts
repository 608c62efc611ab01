// Shared arbitraries and helpers for the remoting codec tests.
import fc from 'fast-check';
import {
  LanguageCode,
  type LanguageName,
  type RemotingCommand,
  type SerializeTypeName,
} from '../../../src/protocol/remoting';

const languageNames = Object.keys(LanguageCode) as LanguageName[];
const text = fc.string({ unit: 'binary', maxLength: 24 });

export function arbitraryCommand(serializeType: SerializeTypeName): fc.Arbitrary<RemotingCommand> {
  return fc.record({
    code: fc.integer({ min: -0x8000, max: 0x7fff }),
    language: fc.constantFrom(...languageNames),
    version: fc.integer({ min: -0x8000, max: 0x7fff }),
    opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    flag: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    remark: fc.option(text, { nil: undefined }),
    extFields: fc
      .uniqueArray(fc.tuple(text, text), { selector: ([key]) => key, maxLength: 6 })
      .map((entries) => new Map(entries)),
    body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    serializeType: fc.constant(serializeType),
  });
}

/** What a command looks like after a trip through its own serialisation. */
export function expectedAfterTrip(command: RemotingCommand): RemotingCommand {
  if (command.serializeType === 'JSON') return command;
  // The binary header cannot tell '' from absent, and reads empty keys and values as null.
  return {
    ...command,
    remark: command.remark === '' ? undefined : command.remark,
    extFields: new Map([...command.extFields].filter(([key, value]) => key !== '' && value !== '')),
  };
}

/** A plain, order-preserving view for toEqual (Map equality in Jest ignores order). */
export function plain(command: RemotingCommand): Record<string, unknown> {
  return { ...command, extFields: [...command.extFields], body: command.body.toString('hex') };
}

export function hex(spaced: string): Buffer {
  return Buffer.from(spaced.replace(/[\s|]/g, ''), 'hex');
}

/** Splits `bytes` at the given (unsorted, possibly repeated) cut points. */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  parts.push(bytes.subarray(from));
  return parts;
}
