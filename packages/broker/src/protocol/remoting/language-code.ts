// The sender's implementation language (`LanguageCode.java`, 4.9.8). JSON headers carry the enum
// *name*, ROCKETMQ binary headers its one-byte code. It is informational only (logs, client
// listings), so a value Keel does not know decodes as OTHER instead of failing the frame: newer
// clients may add languages and must not be disconnected for it.

export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
} as const;

export type LanguageName = keyof typeof LanguageCode;

const languageByCode: ReadonlyMap<number, LanguageName> = new Map(
  (Object.keys(LanguageCode) as LanguageName[]).map((name) => [LanguageCode[name], name]),
);

export function isLanguageName(value: string): value is LanguageName {
  return Object.prototype.hasOwnProperty.call(LanguageCode, value);
}

/** The language of a binary header's byte; OTHER for a code Keel does not know. */
export function languageFromCode(code: number): LanguageName {
  return languageByCode.get(code) ?? 'OTHER';
}

/** The language of a JSON header's name; OTHER for a name Keel does not know. */
export function languageFromName(name: string): LanguageName {
  return isLanguageName(name) ? name : 'OTHER';
}
