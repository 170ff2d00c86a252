// What APISIX's env.proxy_* functions do once abi.ts decoded their arguments (besides buffers and
// maps): wasm-nginx-module src/http/ngx_http_wasm_api.c and ngx_http_wasm_call.c.
import { LogLevel, WasmResult } from "../../enums.ts";
import { firstValue } from "../../header-map.ts";
import { toBytes } from "../../text.ts";
import type { Pairs, Result } from "../../types.ts";
import { EMPTY, type StreamContext, type VmState } from "../../vm-state.ts";
import type { HostFunctions, MetricFunctions, ResolvedOptions } from "../behaviour.ts";
import { ApisixBuffers } from "./buffers.ts";
import { isValidUpstream } from "./callouts.ts";
import { currentRequest } from "./context.ts";
import { ApisixMaps } from "./maps.ts";

/**
 * The nginx variables APISIX's template declares with `set` (apisix/cli/ngx_tpl.lua 851-860), so lua-nginx's
 * ngx_http_lua_ffi_var_set may change them: the wasm flags, and those the route's upstream request is built
 * from ($upstream_scheme is overwritten from the route's upstream after the plugins: hosts/apisix/upstream.ts).
 */
const SETTABLE = new Set(["wasm_process_req_body", "wasm_process_resp_body", "upstream_uri", "upstream_host", "upstream_scheme"]);

/** proxy_log's level → nginx's (api.c 600-643): critical is emerg, trace is debug, anything else err. */
const NGINX_LEVELS = ["debug", "debug", "info", "warn", "error", "emerg"];

/** How nginx's error.log shows a proxy_log level. */
export function nginxLogLevel(level: number): string {
  return NGINX_LEVELS[level] ?? "error";
}

/** wasm-nginx-module 0.6.5+ (api.c 1802-1825): each returns Ok and does nothing; the id is never written. */
const NO_METRICS: MetricFunctions = {
  define: () => ({ value: null }),
  increment: () => WasmResult.Ok,
  record: () => WasmResult.Ok,
  get: () => ({ value: null }),
};

export class ApisixCalls implements HostFunctions {
  readonly buffers: ApisixBuffers;
  readonly maps: ApisixMaps;
  readonly metrics = NO_METRICS;
  /** The global callout id: the first call gets 0. */
  private lastToken = -1;
  /** proxy-wasm.lua's worker-wide method/scheme/path buffers, written only by a callout that has them. */
  private readonly lastPseudo = { method: "", scheme: "", path: "" };

  constructor(private readonly vm: VmState, private readonly opts: ResolvedOptions) {
    this.buffers = new ApisixBuffers(vm);
    this.maps = new ApisixMaps(vm);
  }

  /** proxy_log: recorded with the request being processed, else the callback's context. */
  log(level: number, message: string): WasmResult {
    const f = this.vm.frame;
    this.vm.recordLog(level, message, f ? f.requestId || f.contextId : 0, nginxLogLevel(level));
    return WasmResult.Ok;
  }

  /** Not linked on APISIX (the module cannot import it). */
  logLevel(): number {
    return LogLevel.Info;
  }

  /** Linked but Unimplemented (linking.ts answers before this is reached). */
  nowNs(): bigint {
    return 0n;
  }

  /** proxy_get_property: plugin_root_id, else an nginx variable of the current request. */
  getProperty(path: string): Result<Buffer> {
    const value = this.variable(path);
    if (typeof value === "number") return value;
    if (value === undefined) return WasmResult.NotFound;
    return { value: typeof value === "string" ? toBytes(value) : value };
  }

  private variable(path: string): string | Buffer | WasmResult | undefined {
    if (path === "plugin_root_id") return this.opts.pluginRootId;
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument; // must_get_req: no request outside request callbacks
    const name = path.toLowerCase();
    if (s.properties.has(name)) return s.properties.get(name);
    return readOnlyVariable(s, name);
  }

  /** proxy_set_property: only the two variables APISIX declares writable. */
  setProperty(path: string, value: Buffer): WasmResult {
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument;
    const name = path.toLowerCase();
    if (SETTABLE.has(name)) {
      s.properties.set(name, value);
      return WasmResult.Ok;
    }
    const known = readOnlyVariable(s, name) !== undefined;
    this.vm.event(`apisix: variable "${name}" ${known ? "not changeable" : "not found for writing"}`);
    return known ? WasmResult.InternalFailure : WasmResult.NotFound;
  }

  /** proxy_send_local_response: recorded at once; headers accumulate over the request. */
  sendLocalResponse(status: number, details: string, body: Buffer, headers: Pairs, grpcStatus: number): WasmResult {
    const f = this.vm.frame;
    const s = currentRequest(this.vm);
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

  /**
   * proxy_http_call: one pending call per request, an upstream ngx_parse_url accepts (never resolved
   * here), a timeout ≥ 0 (ngx_http_wasm_call_register failing is InternalFailure).
   */
  httpCall(upstream: string, headers: Pairs, body: Buffer, trailers: Pairs, timeoutMs: number): Result<number> {
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument; // only during the processing of a request
    if (!isValidUpstream(upstream)) {
      this.vm.event(`apisix: http call gets invalid host: ${upstream}`);
      return WasmResult.BadArgument;
    }
    if (s.registeredCallout) {
      this.vm.event("apisix: multiple calls are not supported");
      return WasmResult.InternalFailure;
    }
    if (timeoutMs < 0) {
      this.vm.event(`apisix: invalid timeout: ${timeoutMs}`);
      return WasmResult.InternalFailure;
    }
    this.lastToken++;
    const callout = this.vm.recordCallout({
      rootId: s.rootId, upstream, headers, body, trailers, timeoutMs, streamId: s.id, effective: this.effectivePseudo(headers),
    }, this.lastToken >>> 0);
    s.registeredCallout = callout;
    return { value: callout.token };
  }

  /** ngx_http_wasm_call_get (call.c 150-164) writes a pseudo-header's buffer only when the call has it. */
  private effectivePseudo(headers: Pairs): { method: string; scheme: string; path: string } {
    const last = this.lastPseudo;
    for (const name of ["method", "scheme", "path"] as const) {
      const value = firstValue(headers, `:${name}`);
      if (value !== undefined && value !== "") last[name] = value;
    }
    return { method: last.method || "GET", scheme: last.scheme || "http", path: last.path };
  }

  /** A no-op on APISIX (linking.ts): host calls act on the request being processed. */
  setEffectiveContext(): WasmResult {
    return WasmResult.Ok;
  }

  /** A no-op on APISIX (linking.ts). */
  continueStream(): WasmResult {
    return WasmResult.Ok;
  }

  /** A no-op on APISIX (linking.ts). */
  closeStream(): WasmResult {
    return WasmResult.Ok;
  }

  /** Linked but Unimplemented (linking.ts answers before this is reached). */
  getStatus(): { code: number; message: string } {
    return { code: 0, message: "" };
  }

  /** Linked but Unimplemented: APISIX has no timers for wasm. */
  setTickPeriod(): WasmResult {
    return WasmResult.Unimplemented;
  }
}

/** The read-only nginx variables a filter may read. */
function readOnlyVariable(s: StreamContext, name: string): string | undefined {
  const [uri, args = ""] = s.info.path.split(/\?(.*)/s);
  const vars: Record<string, string> = {
    request_method: s.info.method,
    request_uri: s.info.path,
    uri,
    args,
    // $host: the Host header's name, else (HTTP/1.0 without Host) the server_name, "_" in APISIX.
    host: firstValue(s.headers, "host")?.replace(/:\d+$/, "").toLowerCase() ?? "_",
    scheme: s.info.scheme,
    server_protocol: "HTTP/1.1",
    remote_addr: "127.0.0.1",
    // Declared by `set` before the plugins run (ngx_tpl.lua 851-854); $upstream_uri starts empty.
    upstream_scheme: "http",
    ...(firstValue(s.headers, "host") !== undefined ? { upstream_host: firstValue(s.headers, "host")! } : {}),
  };
  if (name in vars) return vars[name];
  if (name.startsWith("http_")) return firstValue(s.headers, name.slice(5).replace(/_/g, "-"));
  return undefined;
}

