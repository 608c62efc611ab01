// The name server's only persistent state ([N]kvconfig/KVConfigManager.java): namespace → key →
// value, e.g. ORDER_TOPIC_CONFIG → topic → "broker-a:4;broker-b:4". Stored as
// `{"configTable":{"<namespace>":{"<key>":"<value>"}}}` (RocketMQ's kvConfig.json shape), written
// atomically after every change; a put resolves once the change is durable.

import type { Disk } from '../store/disk/disk';
import { readJsonFile, writeJsonAtomically } from '../store/metadata/atomic-json-file';
import { MetadataFormatError } from '../store/metadata/metadata-errors';
import type { JsonValue } from '../store/metadata/tolerant-json';

/** Namespace of order-topic queue layouts, returned with routes when orderMessageEnable. */
export const ORDER_TOPIC_CONFIG_NAMESPACE = 'ORDER_TOPIC_CONFIG';

type Table = Map<string, Map<string, string>>;

export class KvConfigManager {
  readonly #disk: Disk;
  readonly #path: string;
  readonly #table: Table;

  private constructor(disk: Disk, path: string, table: Table) {
    this.#disk = disk;
    this.#path = path;
    this.#table = table;
  }

  /** Loads the file (or its backup); a missing file is an empty table. */
  static async load(disk: Disk, path: string): Promise<KvConfigManager> {
    const read = await readJsonFile(disk, path, {
      decode: decodeTable,
      description: 'name server KV config',
    });
    return new KvConfigManager(disk, path, read?.value ?? new Map());
  }

  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  list(namespace: string): ReadonlyMap<string, string> | undefined {
    return this.#table.get(namespace);
  }

  async put(namespace: string, key: string, value: string): Promise<void> {
    let entries = this.#table.get(namespace);
    if (entries === undefined) this.#table.set(namespace, (entries = new Map()));
    entries.set(key, value);
    await this.#persist();
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const entries = this.#table.get(namespace);
    if (entries?.delete(key) !== true) return false;
    if (entries.size === 0) this.#table.delete(namespace);
    await this.#persist();
    return true;
  }

  #persist(): Promise<void> {
    const configTable: Record<string, Record<string, string>> = {};
    for (const [namespace, entries] of this.#table) configTable[namespace] = Object.fromEntries(entries);
    return writeJsonAtomically(this.#disk, this.#path, { configTable });
  }
}

function decodeTable(json: JsonValue): Table {
  const table: Table = new Map();
  const root = asObject(json, 'kvConfig.json');
  const configTable = root['configTable'];
  if (configTable === undefined || configTable === null) return table;
  for (const [namespace, entries] of Object.entries(asObject(configTable, 'configTable'))) {
    const map = new Map<string, string>();
    for (const [key, value] of Object.entries(asObject(entries, `configTable.${namespace}`))) {
      if (typeof value !== 'string') {
        throw new MetadataFormatError(
          `configTable.${namespace}.${key} must be a string, found ${JSON.stringify(value)}`,
        );
      }
      map.set(key, value);
    }
    table.set(namespace, map);
  }
  return table;
}

function asObject(json: JsonValue, where: string): Readonly<Record<string, JsonValue>> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MetadataFormatError(`${where} must be a JSON object`);
  }
  return json as Readonly<Record<string, JsonValue>>;
}
