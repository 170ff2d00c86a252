// How Envoy (proxy-wasm-cpp-host) loads a module: src/wasm.cc registerCallbacks/getFunctions/start,
// include/proxy-wasm/exports.h.
import { WasmResult } from "../../enums.ts";
import { ABI_EXPORTS, prefixed, type AbiVersion, type Linking } from "../linking.ts";

/** FOR_ALL_HOST_FUNCTIONS: registered for every ABI version. */
const COMMON = [
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
const BY_ABI: Record<AbiVersion, string[]> = {
  "0_1_0": ["get_configuration", "continue_request", "continue_response", "clear_route_cache"],
  "0_2_0": ["continue_stream", "close_stream"],
  "0_2_1": ["continue_stream", "close_stream", "get_log_level"],
};

/** Envoy implements these but the emulator does not: they answer Unimplemented and leave a host event. */
const NOT_EMULATED = [
  "get_shared_data", "set_shared_data", "register_shared_queue", "resolve_shared_queue",
  "dequeue_shared_queue", "enqueue_shared_queue", "grpc_call", "grpc_stream", "grpc_close", "grpc_cancel",
  "grpc_send", "call_foreign_function", "clear_route_cache",
];

/** FOR_ALL_WASI_FUNCTIONS (include/proxy-wasm/exports.h 202-214), for both wasi_unstable and wasi_snapshot_preview1. */
const WASI = [
  "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_fdstat_set_rights",
  "environ_get", "environ_sizes_get", "args_get", "args_sizes_get", "clock_time_get", "clock_res_get",
  "fd_advise", "fd_allocate", "fd_datasync", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_pwrite", "fd_readdir", "fd_renumber", "fd_sync", "fd_tell", "path_create_directory",
  "path_filestat_set_times", "path_link", "path_readlink", "path_remove_directory", "path_rename",
  "path_symlink", "path_unlink_file", "sock_accept", "sock_recv", "sock_send", "sock_shutdown", "random_get",
  "sched_yield", "poll_oneoff", "proc_exit", "path_open", "fd_prestat_get", "fd_prestat_dir_name",
  "path_filestat_get", "fd_filestat_get",
];

export const ENVOY_LINKING: Linking = {
  hostName: "Envoy (proxy-wasm-cpp-host)",
  detectAbi(exportNames) {
    // V8/Wasmtime getAbiVersion(): the first ABI export in module order wins.
    for (const name of exportNames) {
      const hit = (Object.keys(ABI_EXPORTS) as AbiVersion[]).find((v) => ABI_EXPORTS[v] === name);
      if (hit) return hit;
    }
    return null;
  },
  envFunctions: (abi) => prefixed([...COMMON, ...BY_ABI[abi]]),
  unimplemented: new Set(),
  noops: new Set(),
  notEmulated: prefixed(NOT_EMULATED),
  wasiFunctions: new Set(WASI),
  allocators: ["malloc", "proxy_on_memory_allocate"],
  nextAllocatorOnFailure: false,
  allocatorRequired: true,
  startFunctions(exportNames) {
    const has = (n: string) => exportNames.includes(n);
    if (has("_initialize")) return ["_initialize", ...(has("main") ? ["main"] : has("__main_void") ? ["__main_void"] : [])];
    return has("_start") ? ["_start"] : [];
  },
  allocFailure: WasmResult.InvalidMemoryAccess,
  writePtrWhenEmpty: true,
  zeroTokenSlotFirst: true,
  procExitReturns: true,
};
