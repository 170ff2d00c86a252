// Host functions the filter imports. Only functions that BOTH Envoy and APISIX register (hosts.md):
// adding one that APISIX lacks (proxy_get_log_level, proxy_get_header_map_size, proxy_get_buffer_status)
// makes the module unloadable there. host-tests/wasm-imports.test.ts checks the built module.

// @ts-ignore: decorator
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messagePtr: usize, messageSize: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathPtr: usize, pathSize: usize, valuePtrPtr: usize, valueSizePtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathPtr: usize, pathSize: usize, valuePtr: usize, valueSize: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferType: u32, start: u32, maxSize: u32, ptrPtr: usize, sizePtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapType: u32, ptrPtr: usize, sizePtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapType: u32, keyPtr: usize, keySize: usize, valuePtrPtr: usize,
  valueSizePtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(statusCode: u32, detailsPtr: usize, detailsSize: usize,
  bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: i32): u32;

// @ts-ignore: decorator
@external("env", "proxy_http_call")
export declare function proxy_http_call(upstreamPtr: usize, upstreamSize: usize, headersPtr: usize, headersSize: usize,
  bodyPtr: usize, bodySize: usize, trailersPtr: usize, trailersSize: usize, timeoutMs: u32, tokenPtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;

// @ts-ignore: decorator
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: u32, namePtr: usize, nameSize: usize, idPtr: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, offset: i64): u32;

// @ts-ignore: decorator
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;

// WASI (both hosts): realtime/monotonic clocks and the VM's environment.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function wasi_clock_time_get(clockId: u32, precision: u64, timePtr: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function wasi_environ_sizes_get(countPtr: usize, sizePtr: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
export declare function wasi_environ_get(environPtr: usize, bufPtr: usize): u16;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
export declare function wasi_random_get(bufPtr: usize, bufLen: usize): u16;

// Registered by both hosts, but APISIX answers Unimplemented: the filter then retries without backoff.
// @ts-ignore: decorator
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): u32;
