// The emulator's AssemblyScript fixture filters (host-tests/fixtures/emulator/*.ts), compiled on demand
// with the repository's asc into build/fixtures/ (atomically, so test files running side by side never
// read a half-written module).
import { spawn } from "node:child_process";
import { renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURE_SRC = join(ROOT, "host-tests", "fixtures", "emulator");
const FIXTURE_OUT = join(ROOT, "build", "fixtures");

/** The compiled fixture `name` (call compileFixture first). */
export const fixturePath = (name: string): string => join(FIXTURE_OUT, `${name}.wasm`);

/** Compiles fixture `name` unless its .wasm is newer than its source. */
export function compileFixture(name: string): Promise<void> {
  const src = join(FIXTURE_SRC, `${name}.ts`);
  const out = fixturePath(name);
  try {
    if (statSync(out).mtimeMs > statSync(src).mtimeMs) return Promise.resolve();
  } catch {
    // not built yet
  }
  const partial = `${out}.${process.pid}.tmp`;
  const args = [src, "--config", "node_modules/@assemblyscript/wasi-shim/asconfig.json", "-O2", "-o", partial];
  return new Promise((resolve, reject) => {
    const asc = spawn(join(ROOT, "node_modules", ".bin", "asc"), args, { cwd: ROOT });
    let stderr = "";
    asc.stderr.on("data", (d) => (stderr += d));
    asc.on("error", reject);
    asc.on("close", (code) => {
      if (code !== 0) return reject(new Error(`asc ${name} failed (${code}):\n${stderr}`));
      renameSync(partial, out);
      resolve();
    });
  });
}
