export type { Disk, DiskFile } from './disk';
export { NodeDisk, isNoEntry } from './node-disk';
export { MemoryDisk } from './memory-disk';
