// What each env.proxy_* function does, per profile, once abi.ts has decoded its arguments.
// Envoy: envoy source/extensions/common/wasm/context.cc + proxy-wasm-cpp-host src/exports.cc.
// APISIX: wasm-nginx-module src/http/ngx_http_wasm_api.c and ngx_http_wasm_call.c.
import { apisixBaseUrl, isValidApisixUpstream } from "./callouts.ts";
import { firstValue } from "./header-map.ts";
import { BufferCalls } from "./host-buffers.ts";
import { MapCalls } from "./host-maps.ts";
import { LogLevel, WasmResult } from "./enums.ts";
import type { Callout, HostOptions, Pairs, Result } from "./types.ts";
import { EMPTY, type StreamContext, type VmState } from "./vm-state.ts";

const LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"];
/** The nginx variables APISIX declares writable for wasm plugins (apisix/cli/ngx_tpl.lua). */
const APISIX_SETTABLE = new Set(["wasm_process_req_body", "wasm_process_resp_body"]);

export class HostCalls {
  /** proxy_get_buffer_bytes & co. */
  readonly buffers: BufferCalls;
  /** proxy_*_header_map_* functions. */
  readonly maps: MapCalls;

  constructor(private readonly vm: VmState, private readonly opts: HostOptions & { pluginRootId: string }) {
    this.buffers = new BufferCalls(vm, opts);
    this.maps = new MapCalls(vm);
  }

  private get envoy(): boolean {
    return this.vm.profile === "envoy";
  }

  /** proxy_log: recorded with the context it concerns. */
  log(level: number, message: string, source: "proxy_log" | "stdout" | "stderr" = "proxy_log"): WasmResult {
    const f = this.vm.frame;
    const contextId = this.envoy ? this.vm.effectiveId() : f ? f.requestId || f.contextId : 0;
    this.vm.logs.push({ level, levelName: LEVEL_NAMES[level] ?? String(level), message, contextId, source });
    return WasmResult.Ok;
  }

  /** proxy_get_log_level (Envoy only). */
  logLevel(): number {
    return this.opts.logLevel ?? LogLevel.Info;
  }

  /** proxy_get_current_time_nanoseconds (Envoy only). */
  nowNs(): bigint {
    return BigInt(Math.round((this.opts.now ?? Date.now)() * 1e6));
  }

  // ---- properties -------------------------------------------------------------------------------

  /** proxy_get_property. */
  getProperty(path: string): Result<Buffer> {
    const value = this.envoy ? this.envoyProperty(path.split("\0").join(".")) : this.apisixVariable(path);
    return typeof value === "number" ? value : value === undefined ? WasmResult.NotFound : { value: Buffer.from(value) };
  }

  private envoyProperty(key: string): string | Buffer | undefined {
    if (key === "plugin_root_id") return this.opts.pluginRootId;
    if (key === "plugin_name" || key === "plugin_vm_id") return "";
    const s = this.vm.streams.get(this.vm.effectiveId());
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

  private apisixVariable(path: string): string | Buffer | WasmResult | undefined {
    if (path === "plugin_root_id") return this.opts.pluginRootId;
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument; // must_get_req: no request outside request callbacks
    const name = path.toLowerCase();
    if (s.properties.has(name)) return s.properties.get(name);
    return this.apisixReadOnly(s, name);
  }

  private apisixReadOnly(s: StreamContext, name: string): string | undefined {
    const [uri, args = ""] = s.info.path.split(/\?(.*)/s);
    const vars: Record<string, string> = {
      request_method: s.info.method,
      request_uri: s.info.path,
      uri,
      args,
      host: s.info.authority.replace(/:\d+$/, "").toLowerCase(),
      scheme: s.info.scheme,
      server_protocol: "HTTP/1.1",
      remote_addr: "127.0.0.1",
    };
    if (name in vars) return vars[name];
    if (name.startsWith("http_")) return firstValue(s.headers, name.slice(5).replace(/_/g, "-"));
    return undefined;
  }

  /** proxy_set_property: Envoy filter state per stream; APISIX only its two nginx variables. */
  setProperty(path: string, value: Buffer): WasmResult {
    if (this.envoy) {
      const s = this.vm.streams.get(this.vm.effectiveId());
      if (!s) return WasmResult.NotFound;
      s.properties.set(path.split("\0").join("."), value);
      return WasmResult.Ok;
    }
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument;
    const name = path.toLowerCase();
    if (APISIX_SETTABLE.has(name)) {
      s.properties.set(name, value);
      return WasmResult.Ok;
    }
    this.vm.event(`apisix: variable "${name}" ${this.apisixReadOnly(s, name) !== undefined ? "not changeable" : "not found for writing"}`);
    return this.apisixReadOnly(s, name) !== undefined ? WasmResult.InternalFailure : WasmResult.NotFound;
  }

  // ---- replies, flow control ----------------------------------------------------------------------

  /** proxy_send_local_response. Envoy defers it until the callback returns; APISIX records at once. */
  sendLocalResponse(status: number, details: string, body: Buffer, headers: Pairs, grpcStatus: number): WasmResult {
    const f = this.vm.frame;
    if (this.envoy) {
      if (f) f.stopNext = true;
      const s = this.vm.streams.get(this.vm.effectiveId());
      if (!s || !f) return WasmResult.Ok; // no decoder callbacks on a root context: nothing is sent
      const details_ = details.replace(/[ \t\f\v\n\r]/g, "_");
      f.deferred.push(() => {
        if (s.localResponse || s.deleted) return this.vm.event(`envoy: second local reply for stream ${s.id} ignored`);
        s.localResponse = { status, details: details_, body, headers, grpcStatus };
      });
      return WasmResult.Ok;
    }
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument;
    if (f) f.localStatus = status;
    const reply = { status, details, body: s.localResponse?.body ?? EMPTY, headers, grpcStatus };
    s.localResponse = reply;
    for (const [k, v] of headers) {
      if (k.toLowerCase() === ":status") {
        if (!/^\d+$/.test(v)) return WasmResult.BadArgument; // code already set, body not copied
        continue; // ngx.status is overwritten by ngx.exit(code) anyway
      }
      s.replyHeaders.push([k, v]);
    }
    reply.body = body;
    return WasmResult.Ok;
  }

  /** proxy_http_call: validates like the host, records the callout, returns its token. */
  httpCall(upstream: string, headers: Pairs, body: Buffer, trailers: Pairs, timeoutMs: number): Result<number> {
    if (this.envoy) return this.envoyHttpCall(upstream, headers, body, trailers, timeoutMs);
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument; // only during the processing of a request
    if (!isValidApisixUpstream(upstream)) {
      this.vm.event(`apisix: http call gets invalid host: ${upstream}`);
      return WasmResult.BadArgument;
    }
    if (this.opts.callouts === "http" && apisixBaseUrl(upstream, headers, this.opts.resolve) === null) return WasmResult.BadArgument;
    if (s.registeredCallout) {
      this.vm.event("apisix: multiple calls are not supported");
      return WasmResult.InternalFailure;
    }
    if (timeoutMs < 0) {
      this.vm.event(`apisix: invalid timeout: ${timeoutMs}`);
      return WasmResult.InternalFailure;
    }
    const callout = this.record({ rootId: s.rootId, upstream, headers, body, trailers, timeoutMs, streamId: s.id });
    s.registeredCallout = callout;
    return { value: callout.token };
  }

  private envoyHttpCall(upstream: string, headers: Pairs, body: Buffer, trailers: Pairs, timeoutMs: number): Result<number> {
    if (timeoutMs < 0) return WasmResult.BadArgument;
    const clusters = this.opts.clusters ?? (this.opts.callouts === "http" ? {} : undefined);
    if (clusters && !Object.hasOwn(clusters, upstream)) {
      this.vm.event(`envoy: unknown cluster "${upstream}"`);
      return WasmResult.BadArgument;
    }
    const lower = new Set(headers.map(([k]) => k.toLowerCase()));
    if (!lower.has(":path") || !lower.has(":method") || !lower.has(":authority")) return WasmResult.BadArgument;
    const eff = this.vm.effectiveId();
    const streamId = this.vm.streams.has(eff) ? eff : 0;
    const callout = this.record({ rootId: this.vm.rootOf(eff) ?? 0, upstream, headers, body, trailers, timeoutMs, streamId });
    return { value: callout.token };
  }

  private record(c: Omit<Callout, "token">): Callout {
    const callout: Callout = { ...c, token: this.vm.allocToken() };
    this.vm.callouts.push(callout);
    this.vm.pending.set(callout.token, callout);
    return callout;
  }

  /** proxy_set_effective_context (Envoy; a no-op on APISIX). */
  setEffectiveContext(id: number): WasmResult {
    if (!this.vm.contextExists(id) || !this.vm.frame) return WasmResult.BadArgument;
    this.vm.frame.effectiveId = id;
    return WasmResult.Ok;
  }

  /** proxy_continue_stream / proxy_continue_request (Envoy): resumes a paused request after the callback. */
  continueStream(type: number): WasmResult {
    if (type >>> 0 > 3) return WasmResult.BadArgument;
    if (type === 3) return WasmResult.Unimplemented;
    const s = this.vm.streams.get(this.vm.effectiveId());
    if (type === 0 && s && this.vm.frame) {
      this.vm.frame.deferred.push(() => {
        s.resumed = true;
        s.headersAvailable = false;
      });
    }
    return WasmResult.Ok;
  }

  /** proxy_close_stream (Envoy): resets the request after the callback. */
  closeStream(type: number): WasmResult {
    if (type >>> 0 > 3) return WasmResult.BadArgument;
    const s = this.vm.streams.get(this.vm.effectiveId());
    if (type === 0 && s && this.vm.frame) this.vm.frame.deferred.push(() => (s.reset = true));
    return WasmResult.Ok;
  }

  /** proxy_get_status (Envoy): "reset" while a failed callout is being delivered. */
  getStatus(): { code: number; message: string } {
    return this.vm.frame?.callResponse?.failed ? { code: 11, message: "reset" } : { code: 0, message: "" };
  }

  /** proxy_set_tick_period_milliseconds (Envoy): ticks of the calling context's root; 0 stops them. */
  setTickPeriod(period: number): WasmResult {
    const root = this.vm.rootOf(this.vm.effectiveId());
    if (root === undefined) return WasmResult.BadArgument;
    if (period === 0) this.vm.tickPeriods.delete(root);
    else this.vm.tickPeriods.set(root, period);
    return WasmResult.Ok;
  }
}
