export { lockedError, type Disk, type DiskFile, type DiskLock } from './disk';
export { NodeDisk, isNoEntry } from './node-disk';
export { MemoryDisk } from './memory-disk';
