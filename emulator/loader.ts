// Loading a module the way each host does: compile, refuse what the host refuses (ABI version,
// imports it does not link, missing memory or allocator), instantiate with exactly its imports.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { envImports } from "./abi.ts";
import type { Faults } from "./faults.ts";
import type { HostBehaviour } from "./hosts/behaviour.ts";
import { WASI_MODULES, type AbiVersion, type Linking } from "./hosts/linking.ts";
import type { GuestMemory } from "./memory.ts";
import type { HostOptions } from "./types.ts";
import type { VmState } from "./vm-state.ts";
import type { Wasi } from "./wasi.ts";
import { wasiImports } from "./wasi-imports.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The module the emulator loads when HostOptions.wasm is not given. */
export const DEFAULT_WASM = join(REPO_ROOT, "build", "aws-lambda.wasm");

export interface CheckedModule {
  module: WebAssembly.Module;
  exportNames: string[];
  abi: AbiVersion;
}

/** Compiles `options.wasm` (default build/aws-lambda.wasm) and applies the host's load-time checks. */
export function checkModule(options: HostOptions, linking: Linking): CheckedModule {
  const where = `Host.load(${options.profile})`;
  const bytes = typeof options.wasm === "string" || options.wasm === undefined ? readFileSync(options.wasm ?? DEFAULT_WASM) : options.wasm;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (err) {
    throw new Error(`${where}: not a valid wasm module: ${(err as Error).message}`);
  }
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  const abi = linking.detectAbi(exportNames);
  if (!abi) throw new Error(`${where}: missing or unknown Proxy-Wasm ABI version (export proxy_abi_version_0_2_1)`);
  checkImports(where, module, linking, abi);
  if (!exportNames.includes("memory")) throw new Error(`${where}: the module does not export "memory"`);
  if (linking.allocatorRequired && !linking.allocators.some((a) => exportNames.includes(a))) {
    throw new Error(`${where}: Wasm module is missing malloc function (export malloc or proxy_on_memory_allocate)`);
  }
  return { module, exportNames, abi };
}

/** Refuses a module importing anything the host does not link (the real hosts fail to load it). */
function checkImports(where: string, module: WebAssembly.Module, linking: Linking, abi: AbiVersion): void {
  const env = linking.envFunctions(abi);
  const missing = WebAssembly.Module.imports(module)
    .filter((i) => {
      if (i.kind !== "function") return true;
      if (i.module === "env") return !env.has(i.name);
      if (WASI_MODULES.includes(i.module)) return !linking.wasiFunctions.has(i.name);
      return true;
    })
    .map((i) => `${i.module}.${i.name}`);
  if (missing.length > 0) {
    throw new Error(`${where}: ${linking.hostName} does not provide import(s) ${missing.join(", ")}; the module cannot be loaded there`);
  }
}

export interface InstantiateDeps {
  host: HostBehaviour;
  vm: VmState;
  faults: Faults;
  wasi: Wasi;
  /** The module's memory wrapper, available once instantiated. */
  memory: () => GuestMemory;
}

/** Instantiates with the env and WASI functions the host links; returns the instance exports. */
export function instantiate(checked: CheckedModule, deps: InstantiateDeps): Record<string, any> {
  const { linking } = deps.host;
  let memory: WebAssembly.Memory | null = null;
  const wasi = wasiImports(deps.wasi, linking.wasiFunctions, () => memory, (fd, text) => deps.host.moduleOutput(fd, text), {
    returns: linking.procExitReturns,
    onExit: (code) => deps.vm.event(`${deps.host.profile}: wasi_unstable proc_exit (code ${code}) logged at trace; the call goes on`),
  });
  const imports: WebAssembly.Imports = { env: envImports(linking.envFunctions(checked.abi), deps.host, deps.vm, deps.faults, deps.memory) };
  for (const m of WASI_MODULES) imports[m] = wasi;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(checked.module, imports);
  } catch (err) {
    throw new Error(`Host.load(${deps.host.profile}): instantiation failed: ${(err as Error).message}`);
  }
  memory = instance.exports.memory as WebAssembly.Memory;
  deps.wasi.bind(memory);
  return instance.exports as Record<string, any>;
}
