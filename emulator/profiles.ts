// What differs between the two hosts at load time and in the shape of their answers, as data.
// Sources: proxy-wasm-cpp-host (src/wasm.cc registerCallbacks/getFunctions/start, include/proxy-wasm/
// exports.h) for Envoy; api7/wasm-nginx-module (src/http/ngx_http_wasm_api.c, ngx_http_wasm_module.c,
// src/vm/wasmtime.c, src/proxy_wasm/proxy_wasm_memory.c) for APISIX. Behaviour differences during a
// request live next to the code they change (host-calls.ts, flows.ts), keyed on `profile`.
import { WasmResult } from "./enums.ts";
import type { Profile } from "./types.ts";

export type AbiVersion = "0_1_0" | "0_2_0" | "0_2_1";

const ABI_EXPORTS: Record<AbiVersion, string> = {
  "0_1_0": "proxy_abi_version_0_1_0",
  "0_2_0": "proxy_abi_version_0_2_0",
  "0_2_1": "proxy_abi_version_0_2_1",
};

/** FOR_ALL_HOST_FUNCTIONS in proxy-wasm-cpp-host: registered for every ABI version. */
const ENVOY_COMMON = [
  "log", "get_status", "set_property", "get_property", "send_local_response", "get_shared_data",
  "set_shared_data", "register_shared_queue", "resolve_shared_queue", "dequeue_shared_queue",
  "enqueue_shared_queue", "get_header_map_value", "add_header_map_value", "replace_header_map_value",
  "remove_header_map_value", "get_header_map_pairs", "set_header_map_pairs", "get_header_map_size",
  "get_buffer_status", "get_buffer_bytes", "set_buffer_bytes", "http_call", "grpc_call", "grpc_stream",
  "grpc_close", "grpc_cancel", "grpc_send", "set_tick_period_milliseconds",
  "get_current_time_nanoseconds", "define_metric", "increment_metric", "record_metric", "get_metric",
  "set_effective_context", "done", "call_foreign_function",
];

/** Registered only for the module's ABI version (WasmBase::registerCallbacks). */
const ENVOY_BY_ABI: Record<AbiVersion, string[]> = {
  "0_1_0": ["get_configuration", "continue_request", "continue_response", "clear_route_cache"],
  "0_2_0": ["continue_stream", "close_stream"],
  "0_2_1": ["continue_stream", "close_stream", "get_log_level"],
};

/** ngx_http_wasm_api_def.h: what wasm-nginx-module links, whatever the ABI version. */
const APISIX_ALL = [
  "set_effective_context", "get_property", "set_property", "log", "get_buffer_bytes", "set_buffer_bytes",
  "send_local_response", "send_http_response", "get_current_time_nanoseconds",
  "set_tick_period_milliseconds", "get_configuration", "get_header_map_pairs", "set_header_map_pairs",
  "get_header_map_value", "remove_header_map_value", "replace_header_map_value", "add_header_map_value",
  "get_shared_data", "set_shared_data", "register_shared_queue", "resolve_shared_queue",
  "dequeue_shared_queue", "enqueue_shared_queue", "continue_request", "continue_response",
  "clear_route_cache", "continue_stream", "close_stream", "http_call", "grpc_call", "grpc_stream",
  "grpc_send", "grpc_cancel", "grpc_close", "get_status", "done", "call_foreign_function",
  "define_metric", "increment_metric", "record_metric", "get_metric",
];

/** Linked on APISIX but `return PROXY_RESULT_UNIMPLEMENTED` (metrics included, unlike hosts.md says). */
const APISIX_UNIMPLEMENTED = [
  "get_current_time_nanoseconds", "set_tick_period_milliseconds", "set_buffer_bytes",
  "set_header_map_pairs", "get_shared_data", "set_shared_data", "register_shared_queue",
  "resolve_shared_queue", "dequeue_shared_queue", "enqueue_shared_queue", "clear_route_cache",
  "grpc_call", "grpc_stream", "grpc_send", "grpc_cancel", "grpc_close", "get_status", "done",
  "call_foreign_function", "define_metric", "increment_metric", "record_metric", "get_metric",
];

/** Linked on APISIX as do-nothing functions returning Ok. */
const APISIX_NOOPS = ["set_effective_context", "continue_request", "continue_response", "continue_stream", "close_stream"];

/** Envoy implements these but the emulator does not: they answer Unimplemented and leave a host event. */
const ENVOY_NOT_EMULATED = [
  "get_shared_data", "set_shared_data", "register_shared_queue", "resolve_shared_queue",
  "dequeue_shared_queue", "enqueue_shared_queue", "grpc_call", "grpc_stream", "grpc_close", "grpc_cancel",
  "grpc_send", "call_foreign_function", "clear_route_cache",
];

/** FOR_ALL_WASI_FUNCTIONS: Envoy's WASI, for both wasi_unstable and wasi_snapshot_preview1. */
const ENVOY_WASI = [
  "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "environ_get", "environ_sizes_get",
  "args_get", "args_sizes_get", "clock_time_get", "random_get", "proc_exit", "path_open",
  "fd_prestat_get", "fd_prestat_dir_name",
];

/** wasmtime_linker_define_wasi: all of WASI preview 1. */
const FULL_WASI = [
  ...ENVOY_WASI, "clock_res_get", "fd_advise", "fd_allocate", "fd_datasync", "fd_fdstat_set_flags",
  "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_pwrite", "fd_readdir", "fd_renumber", "fd_sync", "fd_tell", "path_create_directory",
  "path_filestat_get", "path_filestat_set_times", "path_link", "path_readlink", "path_remove_directory",
  "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff", "proc_raise", "sched_yield",
  "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
];

export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"];

export interface ProfileTraits {
  profile: Profile;
  /** ABI version from the module's exports; null = the host refuses the module. */
  detectAbi(exportNames: string[]): AbiVersion | null;
  /** env.proxy_* names the host links for that ABI version. */
  envFunctions(abi: AbiVersion): Set<string>;
  /** Linked but answering Unimplemented without doing anything. */
  unimplemented: Set<string>;
  /** Linked, do nothing, answer Ok. */
  noops: Set<string>;
  /** Envoy features the emulator does not model (answer Unimplemented, recorded as host events). */
  notEmulated: Set<string>;
  /** WASI function names linked under each of WASI_MODULES. */
  wasiFunctions: Set<string>;
  /** Allocator exports in the order the host tries them. */
  allocators: string[];
  /** Envoy refuses a module without an allocator; APISIX only fails each later copy into the module. */
  allocatorRequired: boolean;
  /** Start functions to run after instantiation, given the exports. */
  startFunctions(exportNames: string[]): string[];
  /** WasmResult of a host→module copy when the allocator returns 0. */
  allocFailure: WasmResult;
  /** Whether an empty result still writes ptr 0 into the return pointer. */
  writePtrWhenEmpty: boolean;
}

const prefixed = (names: string[]) => new Set(names.map((n) => `proxy_${n}`));

export const PROFILES: Record<Profile, ProfileTraits> = {
  envoy: {
    profile: "envoy",
    detectAbi(exportNames) {
      // V8/Wasmtime getAbiVersion(): the first ABI export in module order wins.
      for (const name of exportNames) {
        const hit = (Object.keys(ABI_EXPORTS) as AbiVersion[]).find((v) => ABI_EXPORTS[v] === name);
        if (hit) return hit;
      }
      return null;
    },
    envFunctions: (abi) => prefixed([...ENVOY_COMMON, ...ENVOY_BY_ABI[abi]]),
    unimplemented: new Set(),
    noops: new Set(),
    notEmulated: prefixed(ENVOY_NOT_EMULATED),
    wasiFunctions: new Set(ENVOY_WASI),
    allocators: ["malloc", "proxy_on_memory_allocate"],
    allocatorRequired: true,
    startFunctions(exportNames) {
      const has = (n: string) => exportNames.includes(n);
      if (has("_initialize")) return ["_initialize", ...(has("main") ? ["main"] : has("__main_void") ? ["__main_void"] : [])];
      return has("_start") ? ["_start"] : [];
    },
    allocFailure: WasmResult.InvalidMemoryAccess,
    writePtrWhenEmpty: true,
  },
  apisix: {
    profile: "apisix",
    detectAbi(exportNames) {
      // ngx_http_wasm_load_plugin: the last of 0_1_0, 0_2_0, 0_2_1 found wins; none = latest.
      let abi: AbiVersion = "0_2_1";
      for (const v of Object.keys(ABI_EXPORTS) as AbiVersion[]) if (exportNames.includes(ABI_EXPORTS[v])) abi = v;
      return abi;
    },
    envFunctions: () => prefixed(APISIX_ALL),
    unimplemented: prefixed(APISIX_UNIMPLEMENTED),
    noops: prefixed(APISIX_NOOPS),
    notEmulated: new Set(),
    wasiFunctions: new Set(FULL_WASI),
    allocators: ["proxy_on_memory_allocate", "malloc"],
    allocatorRequired: false,
    startFunctions(exportNames) {
      if (exportNames.includes("_start")) return ["_start"];
      return exportNames.includes("_initialize") ? ["_initialize"] : [];
    },
    allocFailure: WasmResult.InternalFailure,
    writePtrWhenEmpty: false,
  },
};
