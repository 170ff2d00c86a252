#!/usr/bin/env node
// Builds the release filter (build/aws-lambda.wasm) and one small wasm per file in assembly/unit/
// (build/unit/<name>.wasm + raw JS bindings), which the tests use to drive pure modules directly.
// `--release-only` skips the unit modules. It records which sources the release module was built from
// (release-sources.mjs), so that `npm start` builds only when they changed.
import { readdirSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { availableParallelism } from "node:os";
import { releaseSourcesDigest, writeSourcesStamp } from "./release-sources.mjs";
import { TRANSFORM_ARGS } from "./transforms/index.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asc = join(root, "node_modules", ".bin", "asc");

function compile(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(asc, [...args, ...TRANSFORM_ARGS], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`asc ${args[0]} failed (${code})`))));
  });
}

const jobs = [["assembly/index.ts", "--target", "release"]];
if (!process.argv.includes("--release-only")) {
  mkdirSync(join(root, "build", "unit"), { recursive: true });
  for (const file of readdirSync(join(root, "assembly", "unit")).filter((f) => f.endsWith(".ts")).sort()) {
    const name = file.replace(/\.ts$/, "");
    jobs.push([`assembly/unit/${file}`, "--target", "unit", "--outFile", `build/unit/${name}.wasm`,
      "--bindings", "raw", "--exportRuntime"]);
  }
}

// Taken before compiling: an edit made during the build makes the next `npm start` build again.
const digest = releaseSourcesDigest(root);
// Two at a time: the compiler is single-threaded and the machines have two cores.
const width = Math.max(1, Math.min(2, availableParallelism()));
let next = 0;
async function worker() {
  while (next < jobs.length) await compile(jobs[next++]);
}
try {
  await Promise.all(Array.from({ length: width }, worker));
  writeSourcesStamp(root, digest);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
