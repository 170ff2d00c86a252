// Loads one of the unit-test modules built from assembly/unit/<name>.ts (npm run build), through the
// raw bindings asc generates, so tests call pure AssemblyScript functions with JS strings and arrays.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { Wasi } from "../../emulator/index.ts";

const buildDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "unit");

/** Instantiates build/unit/<name>.wasm and returns its exports with strings and typed arrays lifted. */
export async function loadUnit<T = any>(name: string, env: Record<string, string> = {}): Promise<T> {
  const bindings = await import(pathToFileURL(join(buildDir, `${name}.js`)).href);
  const module = new WebAssembly.Module(readFileSync(join(buildDir, `${name}.wasm`)));
  const wasi = new Wasi({ env });
  const exports = await bindings.instantiate(module, { wasi_snapshot_preview1: wasi.imports() });
  wasi.bind(exports.memory);
  return exports as T;
}
