// The @keel/tx test kit for application developers' own tests.
export {};
