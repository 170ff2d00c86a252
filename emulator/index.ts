// proxy-wasm host emulator with "envoy" and "apisix" profiles (see ../shared/docs/hosts.md):
// Host.load() a module, configure() root contexts, then drive it with request() or the low-level
// call…/get… methods (proxytest style).
export { Host } from "./host.ts";
export { encodePairs, decodePairs } from "./header-map.ts";
export { BufferType, FilterStatus, LogLevel, MapType, MetricType, WasmResult } from "./enums.ts";
export type {
  Callout, CalloutAnswer, HostOptions, LocalResponse, LogEntry, Metric, Pairs, Profile, Reply, RequestOptions, RequestSpec,
} from "./types.ts";
