// The release filter loads unchanged on Envoy and APISIX: ABI 0.2.1 and allocator exports, a start
// export, only imports both hosts register (the same list as ../shared/tools/check-wasm-imports.mjs,
// kept here so tests never read outside the project), and no SIMD.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const wasmPath = fileURLToPath(new URL("../build/aws-lambda.wasm", import.meta.url));
const watPath = fileURLToPath(new URL("../build/aws-lambda.wat", import.meta.url));
const module = new WebAssembly.Module(readFileSync(wasmPath));

/** Host functions registered (and implemented) by both Envoy and APISIX (hosts.md). */
const onBothHosts = new Set([
  "proxy_log", "proxy_get_property", "proxy_set_property", "proxy_get_buffer_bytes",
  "proxy_send_local_response", "proxy_get_header_map_pairs", "proxy_get_header_map_value",
  "proxy_add_header_map_value", "proxy_replace_header_map_value", "proxy_remove_header_map_value",
  "proxy_http_call", "proxy_continue_stream", "proxy_continue_request", "proxy_continue_response",
  "proxy_close_stream", "proxy_set_effective_context", "proxy_define_metric",
  "proxy_increment_metric", "proxy_record_metric", "proxy_get_metric",
]);
/** Registered by both, answered Unimplemented by APISIX: allowed only where the filter works without it. */
const withFallback = new Set(["proxy_set_tick_period_milliseconds", "proxy_set_buffer_bytes"]);
const wasi = new Set(["fd_write", "proc_exit", "clock_time_get", "random_get", "environ_get",
  "environ_sizes_get", "args_get", "args_sizes_get", "clock_res_get", "sched_yield"]);

test("every import is a host function both Envoy and APISIX register, or WASI preview1", () => {
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    const ok = (from === "env" && (onBothHosts.has(name) || withFallback.has(name)))
      || (from === "wasi_snapshot_preview1" && wasi.has(name));
    assert.ok(ok, `import ${from}.${name} is not available on both hosts`);
  }
});

test("the module exports ABI 0.2.1, both allocator names, a start function and the stream callbacks", () => {
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ["proxy_abi_version_0_2_1", "malloc", "proxy_on_memory_allocate", "_start", "memory",
    "proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure", "proxy_on_request_headers",
    "proxy_on_request_body", "proxy_on_http_call_response", "proxy_on_done", "proxy_on_delete"]) {
    assert.ok(exports.has(name), `missing export ${name}`);
  }
});

test("the release build uses no SIMD instructions", () => {
  assert.doesNotMatch(readFileSync(watPath, "utf8"), /\bv128\b|i8x16|i32x4|f64x2/);
});
