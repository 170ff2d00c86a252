#!/usr/bin/env node
// aws-lambda-wasm: validate a plugin config with the real filter; render Envoy or APISIX config for it.
// `aws-lambda-wasm help` lists the commands; the work is in ../cli/.
import { readFileSync } from "node:fs";
import { main } from "../cli/main.mjs";

process.exitCode = main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readStdin: () => readFileSync(0, "utf8"),
});
