// The asc transforms every build of the filter's sources uses (scripts/build.mjs, bench/run.ts). Passed on the
// command line: asc 0.28 resolves an asconfig.json "transform" path as a package name, not as a file.
export const TRANSFORM_ARGS = [
  "--transform", "./scripts/transforms/visit-calls.mjs",
  "--transform", "./scripts/transforms/utf8-literals.mjs",
];
