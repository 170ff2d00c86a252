// The proxy-wasm ABI 0.2.1 enumerations, under the names (and values) the filter uses in
// assembly/abi/types.ts; host-tests/abi-enums.test.ts checks that both sides agree.

/** Result of every env.proxy_* host function. */
export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

/** Buffer types of proxy_get_buffer_bytes and friends. */
export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
}

/** Header map types of the proxy_*_header_map_* functions. */
export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** proxy_log levels. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

/**
 * What a filter returns from proxy_on_request_headers / proxy_on_request_body. The filter itself only
 * returns Continue and StopIteration; the other values are the ones Envoy knows (FilterHeadersStatus
 * names; a body callback reads 1 as StopIterationAndBuffer, 2 StopIterationAndWatermark,
 * 3 StopIterationNoBuffer).
 */
export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** Metric types of proxy_define_metric. */
export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}
