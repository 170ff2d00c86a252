#!/usr/bin/env node
// aws-lambda-wasm: validate a plugin config with the real filter; render Envoy or APISIX config for it.
// `aws-lambda-wasm help` lists the commands; the work is in ../cli/. The CLI runs the filter in the
// project's proxy-wasm host emulator (../emulator/, TypeScript), loaded through tsx.
import { readFileSync } from "node:fs";
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../cli/main.mjs", import.meta.url);

process.exitCode = main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readStdin: () => readFileSync(0, "utf8"),
});
