#!/usr/bin/env node
// Builds the release filter (build/aws-lambda.wasm) and one small wasm per file in assembly/unit/
// (build/unit/<name>.wasm + raw JS bindings), which the tests use to drive pure modules directly.
import { readdirSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asc = join(root, "node_modules", ".bin", "asc");

function run(args) {
  const r = spawnSync(asc, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

mkdirSync(join(root, "build", "unit"), { recursive: true });
run(["assembly/index.ts", "--target", "release"]);
const only = process.argv.includes("--release-only");
if (!only) {
  for (const file of readdirSync(join(root, "assembly", "unit")).filter((f) => f.endsWith(".ts")).sort()) {
    const name = file.replace(/\.ts$/, "");
    run([`assembly/unit/${file}`, "--target", "release", "--outFile", `build/unit/${name}.wasm`,
      "--textFile", `build/unit/${name}.wat`, "--bindings", "raw", "--exportRuntime"]);
  }
}
