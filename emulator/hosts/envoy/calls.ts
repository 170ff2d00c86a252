// What Envoy's env.proxy_* functions do once abi.ts decoded their arguments (besides buffers and
// maps): envoy source/extensions/common/wasm/context.cc + proxy-wasm-cpp-host src/exports.cc.
import { LogLevel, WasmResult } from "../../enums.ts";
import { firstValue } from "../../header-map.ts";
import { toBytes } from "../../text.ts";
import type { Pairs, Result } from "../../types.ts";
import type { VmState } from "../../vm-state.ts";
import type { HostFunctions, MetricFunctions, ResolvedOptions } from "../behaviour.ts";
import { EnvoyBuffers } from "./buffers.ts";
import { contextExists, effectiveId, effectiveStream } from "./context.ts";
import { EnvoyMaps } from "./maps.ts";

/** Envoy's callout tokens grow by 4 (the low bits tag the kind of call). */
const TOKEN_STEP = 4;

/** spdlog's names for the levels proxy_log maps to (trace … critical), as Envoy's log prints them. */
const ENVOY_LEVELS = ["trace", "debug", "info", "warning", "error", "critical"];

/** How Envoy's log shows a proxy_log level. */
export function envoyLogLevel(level: number): string {
  return ENVOY_LEVELS[level] ?? "error";
}

export class EnvoyCalls implements HostFunctions {
  readonly buffers: EnvoyBuffers;
  readonly maps: EnvoyMaps;
  /** Context::defineMetric & co: Envoy stats (metrics.ts). */
  readonly metrics: MetricFunctions;
  private lastToken = 0;

  constructor(private readonly vm: VmState, private readonly opts: ResolvedOptions) {
    this.buffers = new EnvoyBuffers(vm, opts);
    this.maps = new EnvoyMaps(vm);
    const registry = vm.metrics;
    this.metrics = {
      define: (type, name) => {
        const r = registry.define(type, name);
        return typeof r === "number" ? r : { value: r.id };
      },
      increment: (id, offset) => registry.increment(id, offset),
      record: (id, value) => registry.record(id, value),
      get: (id) => registry.get(id),
    };
  }

  /** proxy_log: recorded with the effective context. */
  log(level: number, message: string): WasmResult {
    this.vm.recordLog(level, message, effectiveId(this.vm), envoyLogLevel(level));
    return WasmResult.Ok;
  }

  /** proxy_get_log_level. */
  logLevel(): number {
    return this.opts.logLevel ?? LogLevel.Info;
  }

  /** proxy_get_current_time_nanoseconds. */
  nowNs(): bigint {
    return BigInt(Math.round((this.opts.now ?? Date.now)() * 1e6));
  }

  /** proxy_get_property: a few plugin and request attributes, then the stream's filter state. */
  getProperty(path: string): Result<Buffer> {
    const value = this.property(path.split("\0").join("."));
    if (value === undefined) return WasmResult.NotFound;
    return { value: typeof value === "string" ? toBytes(value) : value };
  }

  private property(key: string): string | Buffer | undefined {
    if (key === "plugin_root_id") return this.opts.pluginRootId;
    if (key === "plugin_name" || key === "plugin_vm_id") return "";
    const s = effectiveStream(this.vm);
    if (!s) return undefined;
    const query = s.info.path.includes("?") ? s.info.path.slice(s.info.path.indexOf("?") + 1) : "";
    const attrs: Record<string, string> = {
      "request.path": s.info.path,
      "request.url_path": s.info.path.split("?")[0],
      "request.query": query,
      "request.host": s.info.authority,
      "request.scheme": s.info.scheme,
      "request.method": s.info.method,
      "request.protocol": "HTTP/1.1",
    };
    if (key in attrs) return attrs[key];
    if (key.startsWith("request.headers.")) return firstValue(s.headers, key.slice("request.headers.".length));
    return s.properties.get(key);
  }

  /** proxy_set_property: filter state of the effective stream. */
  setProperty(path: string, value: Buffer): WasmResult {
    const s = effectiveStream(this.vm);
    if (!s) return WasmResult.NotFound;
    s.properties.set(path.split("\0").join("."), value);
    return WasmResult.Ok;
  }

  /** proxy_send_local_response: stops the chain now, sends the reply after the callback returns. */
  sendLocalResponse(status: number, details: string, body: Buffer, headers: Pairs, grpcStatus: number): WasmResult {
    const f = this.vm.frame;
    if (f) f.stopNext = true;
    const s = effectiveStream(this.vm);
    if (!s || !f) return WasmResult.Ok; // no decoder callbacks on a root context: nothing is sent
    const safeDetails = details.replace(/[ \t\f\v\n\r]/g, "_");
    f.deferred.push(() => {
      if (s.localResponse || s.deleted) return this.vm.event(`envoy: second local reply for stream ${s.id} ignored`);
      s.localResponse = { status, details: safeDetails, body, headers, grpcStatus };
    });
    return WasmResult.Ok;
  }

  /** proxy_http_call: a known cluster, the three required pseudo-headers, a timeout ≥ 0. */
  httpCall(upstream: string, headers: Pairs, body: Buffer, trailers: Pairs, timeoutMs: number): Result<number> {
    if (timeoutMs < 0) return WasmResult.BadArgument;
    const clusters = this.opts.clusters ?? (this.opts.callouts === "http" ? {} : undefined);
    if (clusters && !Object.hasOwn(clusters, upstream)) {
      this.vm.event(`envoy: unknown cluster "${upstream}"`);
      return WasmResult.BadArgument;
    }
    const lower = new Set(headers.map(([k]) => k.toLowerCase()));
    if (!lower.has(":path") || !lower.has(":method") || !lower.has(":authority")) return WasmResult.BadArgument;
    const eff = effectiveId(this.vm);
    const streamId = this.vm.streams.has(eff) ? eff : 0;
    this.lastToken += TOKEN_STEP;
    const callout = this.vm.recordCallout({ rootId: this.vm.rootOf(eff) ?? 0, upstream, headers, body, trailers, timeoutMs, streamId }, this.lastToken >>> 0);
    return { value: callout.token };
  }

  /** proxy_set_effective_context. */
  setEffectiveContext(id: number): WasmResult {
    if (!contextExists(this.vm, id) || !this.vm.frame) return WasmResult.BadArgument;
    this.vm.frame.effectiveId = id;
    return WasmResult.Ok;
  }

  /** proxy_continue_stream / proxy_continue_request: resumes a paused request after the callback. */
  continueStream(type: number): WasmResult {
    if (type >>> 0 > 3) return WasmResult.BadArgument;
    if (type === 3) return WasmResult.Unimplemented;
    const s = effectiveStream(this.vm);
    if (type === 0 && s && this.vm.frame) {
      this.vm.frame.deferred.push(() => {
        s.resumed = true;
        s.headersAvailable = false;
      });
    }
    return WasmResult.Ok;
  }

  /** proxy_close_stream: resets the request after the callback. */
  closeStream(type: number): WasmResult {
    if (type >>> 0 > 3) return WasmResult.BadArgument;
    const s = effectiveStream(this.vm);
    if (type === 0 && s && this.vm.frame) this.vm.frame.deferred.push(() => (s.reset = true));
    return WasmResult.Ok;
  }

  /** proxy_get_status: "reset" while a failed callout is being delivered. */
  getStatus(): { code: number; message: string } {
    return this.vm.frame?.callResponse?.failed ? { code: 11, message: "reset" } : { code: 0, message: "" };
  }

  /** proxy_set_tick_period_milliseconds: ticks of the calling context's root; 0 stops them. */
  setTickPeriod(period: number): WasmResult {
    const root = this.vm.rootOf(effectiveId(this.vm));
    if (root === undefined) return WasmResult.BadArgument;
    if (period === 0) this.vm.tickPeriods.delete(root);
    else this.vm.tickPeriods.set(root, period);
    return WasmResult.Ok;
  }
}
