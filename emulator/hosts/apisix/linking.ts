// How APISIX (api7/wasm-nginx-module on wasmtime) loads a module: src/http/ngx_http_wasm_api.c,
// ngx_http_wasm_module.c, src/vm/wasmtime.c, src/proxy_wasm/proxy_wasm_memory.c.
import { WasmResult } from "../../enums.ts";
import { ABI_EXPORTS, prefixed, WASI_PREVIEW1, type AbiVersion, type Linking } from "../linking.ts";

/** ngx_http_wasm_api_def.h: what wasm-nginx-module links, whatever the ABI version. */
const ALL = [
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

/**
 * Linked but `return PROXY_RESULT_UNIMPLEMENTED`. The metric functions (linked since 0.6.5) answer Ok and
 * do nothing instead (calls.ts).
 */
const UNIMPLEMENTED = [
  "get_current_time_nanoseconds", "set_tick_period_milliseconds", "set_buffer_bytes",
  "set_header_map_pairs", "get_shared_data", "set_shared_data", "register_shared_queue",
  "resolve_shared_queue", "dequeue_shared_queue", "enqueue_shared_queue", "clear_route_cache",
  "grpc_call", "grpc_stream", "grpc_send", "grpc_cancel", "grpc_close", "get_status", "done",
  "call_foreign_function",
];

/** Linked as do-nothing functions returning Ok. */
const NOOPS = ["set_effective_context", "continue_request", "continue_response", "continue_stream", "close_stream"];

export const APISIX_LINKING: Linking = {
  hostName: "APISIX (wasm-nginx-module, wasmtime linker)",
  detectAbi(exportNames) {
    // ngx_http_wasm_load_plugin: the last of 0_1_0, 0_2_0, 0_2_1 found wins; none = latest.
    let abi: AbiVersion = "0_2_1";
    for (const v of Object.keys(ABI_EXPORTS) as AbiVersion[]) if (exportNames.includes(ABI_EXPORTS[v])) abi = v;
    return abi;
  },
  envFunctions: () => prefixed(ALL),
  unimplemented: prefixed(UNIMPLEMENTED),
  noops: prefixed(NOOPS),
  notEmulated: new Set(),
  wasiFunctions: new Set(WASI_PREVIEW1),
  allocators: ["proxy_on_memory_allocate", "malloc"],
  nextAllocatorOnFailure: true,
  allocatorRequired: false,
  startFunctions(exportNames) {
    if (exportNames.includes("_start")) return ["_start"];
    return exportNames.includes("_initialize") ? ["_initialize"] : [];
  },
  allocFailure: WasmResult.InternalFailure,
  writePtrWhenEmpty: false,
  zeroTokenSlotFirst: false,
  procExitReturns: false,
};
