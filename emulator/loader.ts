// Loading a module the way each host does: compile, refuse what the host refuses (ABI version,
// imports it does not link, missing memory or allocator), instantiate with exactly its imports.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { envImports } from "./abi.ts";
import type { HostCalls } from "./host-calls.ts";
import type { GuestMemory } from "./memory.ts";
import { PROFILES, WASI_MODULES, type AbiVersion, type ProfileTraits } from "./profiles.ts";
import type { HostOptions } from "./types.ts";
import type { VmState } from "./vm-state.ts";
import type { Wasi } from "./wasi.ts";
import { wasiImports } from "./wasi-imports.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface CheckedModule {
  module: WebAssembly.Module;
  exportNames: string[];
  abi: AbiVersion;
}

/** Compiles `options.wasm` (default build/aws-lambda.wasm) and applies the profile's load-time checks. */
export async function checkModule(options: HostOptions): Promise<CheckedModule> {
  const traits = PROFILES[options.profile];
  if (!traits) throw new Error(`Host.load: unknown profile "${options.profile}"`);
  const where = `Host.load(${options.profile})`;
  const bytes = typeof options.wasm === "string" || options.wasm === undefined
    ? readFileSync(options.wasm ?? join(REPO_ROOT, "build", "aws-lambda.wasm"))
    : options.wasm;
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (err) {
    throw new Error(`${where}: not a valid wasm module: ${(err as Error).message}`);
  }
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  const abi = traits.detectAbi(exportNames);
  if (!abi) throw new Error(`${where}: missing or unknown Proxy-Wasm ABI version (export proxy_abi_version_0_2_1)`);
  checkImports(module, traits, abi);
  if (!exportNames.includes("memory")) throw new Error(`${where}: the module does not export "memory"`);
  if (traits.allocatorRequired && !traits.allocators.some((a) => exportNames.includes(a))) {
    throw new Error(`${where}: Wasm module is missing malloc function (export malloc or proxy_on_memory_allocate)`);
  }
  return { module, exportNames, abi };
}

/** Refuses a module importing anything the host does not link (the real hosts fail to load it). */
function checkImports(module: WebAssembly.Module, traits: ProfileTraits, abi: AbiVersion): void {
  const env = traits.envFunctions(abi);
  const missing = WebAssembly.Module.imports(module)
    .filter((i) => {
      if (i.kind !== "function") return true;
      if (i.module === "env") return !env.has(i.name);
      if (WASI_MODULES.includes(i.module)) return !traits.wasiFunctions.has(i.name);
      return true;
    })
    .map((i) => `${i.module}.${i.name}`);
  if (missing.length > 0) {
    const host = traits.profile === "envoy" ? "Envoy (proxy-wasm-cpp-host)" : "APISIX (wasm-nginx-module, wasmtime linker)";
    throw new Error(`Host.load(${traits.profile}): ${host} does not provide import(s) ${missing.join(", ")}; the module cannot be loaded there`);
  }
}

export interface InstantiateDeps {
  vm: VmState;
  calls: HostCalls;
  wasi: Wasi;
  /** The module's memory wrapper, available once instantiated. */
  memory: () => GuestMemory;
  /** Module writes to stdout (fd 1) / stderr (fd 2). */
  onOutput: (fd: number, text: string) => void;
}

/** Instantiates with the env and WASI functions the profile links; returns the instance exports. */
export async function instantiate(checked: CheckedModule, traits: ProfileTraits, deps: InstantiateDeps): Promise<Record<string, any>> {
  let memory: WebAssembly.Memory | null = null;
  const wasi = wasiImports(deps.wasi, traits.wasiFunctions, () => memory, deps.onOutput);
  const imports: WebAssembly.Imports = { env: envImports(traits.envFunctions(checked.abi), traits, deps.calls, deps.vm, deps.memory) };
  for (const m of WASI_MODULES) imports[m] = wasi;
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(checked.module, imports);
  } catch (err) {
    throw new Error(`Host.load(${traits.profile}): instantiation failed: ${(err as Error).message}`);
  }
  memory = instance.exports.memory as WebAssembly.Memory;
  deps.wasi.bind(memory);
  return instance.exports as Record<string, any>;
}
