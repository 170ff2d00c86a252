// A minimal proxy-wasm host that runs only what a gateway runs at configure time: start the module,
// create the root context, (Envoy) start the VM, then proxy_on_configure with the plugin JSON as
// buffer 7. Nothing else is emulated: every other env.* call answers Unimplemented, and a filter that
// touched one at configure time would show it. Plain JS so the CLI needs no TypeScript at run time.
import { readFileSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { fileURLToPath } from "node:url";

/** The filter the package builds (`npm run build`). */
export const DEFAULT_WASM = fileURLToPath(new URL("../build/aws-lambda.wasm", import.meta.url));

/** proxy_log levels, by number. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"];

const OK = 0;
const NOT_FOUND = 1;
const INVALID_MEMORY_ACCESS = 6;
const UNIMPLEMENTED = 12;
const PLUGIN_CONFIGURATION = 7;
const ROOT_CONTEXT_ID = 1;
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const ERRNO_NOSYS = 52;

/** Raised by proc_exit: AssemblyScript's abort ends there, and a gateway counts it as a trap. */
class WasiExit extends Error {
  constructor(code) {
    super(`the module exited with code ${code}`);
    this.code = code;
  }
}

const compiled = new Map();

function compile(wasmPath) {
  if (!compiled.has(wasmPath)) compiled.set(wasmPath, new WebAssembly.Module(readFileSync(wasmPath)));
  return compiled.get(wasmPath);
}

/** The module's memory and allocator, once instantiated. */
class Guest {
  exports = null;

  get bytes() { return new Uint8Array(this.exports.memory.buffer); }
  get view() { return new DataView(this.exports.memory.buffer); }

  text(ptr, len) {
    return Buffer.from(this.bytes.subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0))).toString("utf8");
  }

  /** Copies `data` into a fresh allocation (the module's malloc) and writes its ptr/size out, as hosts do. */
  copyOut(data, ptrPtr, sizePtr) {
    let ptr = 0;
    if (data.length > 0) {
      ptr = this.exports.malloc(data.length) >>> 0;
      if (ptr === 0) return INVALID_MEMORY_ACCESS;
      this.bytes.set(data, ptr);
    }
    this.view.setUint32(ptrPtr >>> 0, ptr, true);
    this.view.setUint32(sizePtr >>> 0, data.length, true);
    return OK;
  }
}

function proxyImports(guest, state) {
  const properties = { plugin_root_id: state.rootId, plugin_name: state.rootId };
  let nextMetric = 1;
  return {
    proxy_log(level, ptr, len) {
      state.logs.push({ level: LOG_LEVELS[level] ?? String(level), message: guest.text(ptr, len) });
      return OK;
    },
    proxy_get_buffer_bytes(type, start, maxSize, ptrPtr, sizePtr) {
      if (type !== PLUGIN_CONFIGURATION || !state.configuring) return NOT_FOUND;
      // Envoy clamps the window to the buffer, an empty read included.
      const begin = Math.min(start >>> 0, state.config.length);
      const end = Math.min(begin + (maxSize >>> 0), state.config.length);
      return guest.copyOut(state.config.subarray(begin, end), ptrPtr, sizePtr);
    },
    proxy_get_property(pathPtr, pathLen, ptrPtr, sizePtr) {
      const path = guest.text(pathPtr, pathLen).split("\0").filter(Boolean).join(".");
      const value = properties[path];
      return value === undefined ? NOT_FOUND : guest.copyOut(Buffer.from(value), ptrPtr, sizePtr);
    },
    proxy_set_property: () => OK,
    proxy_define_metric(_type, _namePtr, _nameLen, idPtr) {
      guest.view.setUint32(idPtr >>> 0, nextMetric++, true);
      return OK;
    },
    proxy_increment_metric: () => OK,
    proxy_record_metric: () => OK,
  };
}

function wasiImports(guest, state) {
  const entries = (list) => list.map((e) => Buffer.from(`${e}\0`));
  const env = () => entries(Object.entries(state.env).map(([k, v]) => `${k}=${v}`));
  const sizes = (list, countPtr, sizePtr) => {
    guest.view.setUint32(countPtr, list.length, true);
    guest.view.setUint32(sizePtr, list.reduce((n, e) => n + e.length, 0), true);
    return ERRNO_SUCCESS;
  };
  const fill = (list, ptrs, buf) => {
    let at = buf;
    list.forEach((e, i) => {
      guest.view.setUint32(ptrs + i * 4, at, true);
      guest.bytes.set(e, at);
      at += e.length;
    });
    return ERRNO_SUCCESS;
  };
  return {
    fd_write(fd, iovs, count, writtenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let text = "";
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = guest.view.getUint32(iovs + i * 8, true);
        const len = guest.view.getUint32(iovs + i * 8 + 4, true);
        text += guest.text(ptr, len);
        total += len;
      }
      // Envoy logs a module's stdout at info and its stderr at error.
      for (const line of text.split("\n").filter(Boolean)) state.logs.push({ level: fd === 1 ? "info" : "error", message: line });
      guest.view.setUint32(writtenPtr, total, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code) { throw new WasiExit(code); },
    clock_time_get(id, _precision, out) {
      if (id === 0) guest.view.setBigUint64(out, BigInt(Date.now()) * 1_000_000n, true);
      else if (id === 1) guest.view.setBigUint64(out, process.hrtime.bigint(), true);
      else return ERRNO_INVAL;
      return ERRNO_SUCCESS;
    },
    random_get(buf, len) {
      randomFillSync(guest.bytes.subarray(buf, buf + len));
      return ERRNO_SUCCESS;
    },
    environ_sizes_get: (countPtr, sizePtr) => sizes(env(), countPtr, sizePtr),
    environ_get: (ptrs, buf) => fill(env(), ptrs, buf),
    args_sizes_get: (countPtr, sizePtr) => sizes([], countPtr, sizePtr),
    args_get: (ptrs, buf) => fill([], ptrs, buf),
  };
}

/** Every import the module declares: ours where we have one, else a stub a gateway would also refuse. */
function linkImports(module, provided) {
  const imports = {};
  for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== "function") throw new Error(`the module imports ${kind} ${name}.${field}, which no gateway provides`);
    const table = provided[name];
    if (!table) throw new Error(`the module imports ${name}.${field}, which no gateway provides`);
    imports[name] ??= {};
    imports[name][field] = table[field] ?? (() => (name === "env" ? UNIMPLEMENTED : ERRNO_NOSYS));
  }
  return imports;
}

/**
 * Runs the module's configure path on `config` as `host` would.
 * @param {{config: string|Uint8Array, host?: "envoy"|"apisix", env?: Record<string,string>, wasmPath?: string, rootId?: string}} options
 * @returns {{accepted: boolean, logs: {level: string, message: string}[], trap?: string}}
 */
export function configureFilter({ config, host = "envoy", env = {}, wasmPath = DEFAULT_WASM, rootId }) {
  if (host !== "envoy" && host !== "apisix") throw new Error(`unknown host "${host}" (envoy or apisix)`);
  const module = compile(wasmPath);
  const guest = new Guest();
  const state = {
    logs: [],
    env,
    config: Buffer.from(config),
    configuring: false,
    // Envoy answers the filter's root_id, APISIX the plugin name from config.yaml.
    rootId: rootId ?? (host === "envoy" ? "aws_lambda" : "aws-lambda-wasm"),
  };
  const imports = linkImports(module, {
    env: proxyImports(guest, state),
    wasi_snapshot_preview1: wasiImports(guest, state),
  });
  try {
    guest.exports = new WebAssembly.Instance(module, imports).exports;
    if (typeof guest.exports.malloc !== "function") throw new Error("the module exports no malloc");
    (guest.exports._initialize ?? guest.exports._start)?.();
    guest.exports.proxy_on_context_create(ROOT_CONTEXT_ID, 0);
    // APISIX never calls proxy_on_vm_start; the filter tells the hosts apart by it.
    if (host === "envoy" && !guest.exports.proxy_on_vm_start(ROOT_CONTEXT_ID, 0)) {
      return { accepted: false, logs: state.logs, trap: "proxy_on_vm_start returned false" };
    }
    state.configuring = true;
    const accepted = Boolean(guest.exports.proxy_on_configure(ROOT_CONTEXT_ID, state.config.length));
    return { accepted, logs: state.logs };
  } catch (error) {
    // A trap fails the VM on Envoy: the configuration is refused like a false return.
    return { accepted: false, logs: state.logs, trap: error instanceof Error ? error.message : String(error) };
  } finally {
    state.configuring = false;
  }
}
