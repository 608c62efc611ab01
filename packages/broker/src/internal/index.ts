// What Keel's own packages and tests may use but applications should not rely on.
export * from '../common/index';
