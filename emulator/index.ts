// proxy-wasm host emulator with "envoy" and "apisix" profiles (see README.md and ../docs/hosts.md):
// Host.load() a module, configure() root contexts, then drive it with request() or the low-level
// call… methods and inspect it with the get… methods (proxytest style).
export { Host } from "./host.ts";
export { DEFAULT_WASM } from "./loader.ts";
export { decodePairs, encodePairs } from "./header-map.ts";
export { BufferType, FilterStatus, LogLevel, MapType, MetricType, WasmResult } from "./enums.ts";
export type { FaultResult } from "./faults.ts";
export { Wasi, WasiExit, type WasiOptions } from "./wasi.ts";
export type {
  ApisixUpstream, Callout, CalloutAnswer, ClientSink, ExportContext, HeaderInput, HostOptions, LocalResponse, LogEntry, Metric, Pairs, Profile, Reply,
  ProxiedExchange, ReceivedChunk, RequestOptions, RequestSpec, TextOrBytes, UpstreamRequest,
} from "./types.ts";
