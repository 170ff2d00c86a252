// The proxy_*_header_map_* functions, per profile. Envoy (context.cc getMap/getConstMap): request
// headers only while the filter holds the request, call response maps only in their callback,
// BadArgument for an unavailable map. APISIX (ngx_http_wasm_api.c): nginx headers plus :scheme,
// :path, :method; :path/:method writes rewrite the request; NotFound/Unimplemented otherwise.
import { firstValue, removeAll, replaceValue } from "./header-map.ts";
import { MapType, WasmResult } from "./enums.ts";
import type { Pairs, Result } from "./types.ts";
import type { StreamContext, VmState } from "./vm-state.ts";

export class MapCalls {
  constructor(private readonly vm: VmState) {}

  private get envoy(): boolean {
    return this.vm.profile === "envoy";
  }

  /** Envoy's getMap/getConstMap: null when the map is not available in this callback. */
  private envoyMap(type: number, mutable: boolean): Pairs | null {
    const s = this.vm.streams.get(this.vm.effectiveId());
    if (type === MapType.HttpRequestHeaders) return s?.headersAvailable ? s.headers : null;
    if (mutable) return null;
    const cr = this.vm.callResponse();
    if (type === MapType.HttpCallResponseHeaders) return cr?.headers ?? null;
    if (type === MapType.HttpCallResponseTrailers) return cr?.trailers ?? null;
    return null;
  }

  /** APISIX view of the request headers: nginx's (lower-cased) headers, then :scheme, :path, :method. */
  private apisixRequestMap(s: StreamContext): Pairs {
    return [...s.headers, [":scheme", s.info.scheme], [":path", s.info.path], [":method", s.info.method]];
  }

  /** proxy_get_header_map_pairs. */
  getPairs(type: number): Result<Pairs> {
    if (this.envoy) {
      if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
      return { value: this.envoyMap(type, false) ?? [] };
    }
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument;
    if (type === MapType.HttpRequestHeaders) return { value: this.apisixRequestMap(s) };
    if (type === MapType.HttpResponseHeaders) return { value: [] };
    if (type === MapType.HttpCallResponseHeaders) {
      const cr = this.vm.callResponse();
      return cr && cr.headers.length > 0 ? { value: cr.headers } : WasmResult.NotFound;
    }
    return WasmResult.Unimplemented;
  }

  /** proxy_get_header_map_value: first value; NotFound when missing. */
  getValue(type: number, key: string): Result<string> {
    if (this.envoy) {
      if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
      const map = this.envoyMap(type, false);
      if (!map) return WasmResult.BadArgument;
      const lower = key.toLowerCase();
      const hit = map.find(([k]) => k === lower);
      return hit ? { value: hit[1] } : WasmResult.NotFound;
    }
    const pairs = this.getPairs(type);
    if (typeof pairs === "number") return type === MapType.HttpCallResponseHeaders ? WasmResult.NotFound : pairs;
    const value = firstValue(pairs.value, key);
    return value === undefined ? WasmResult.NotFound : { value };
  }

  /** proxy_add/replace/remove_header_map_value; `value` undefined = remove. */
  edit(type: number, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult {
    if (this.envoy) {
      if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
      const map = this.envoyMap(type, true);
      if (!map) return WasmResult.BadArgument;
      const lower = key.toLowerCase();
      if (mode === "add") map.push([lower, value!]);
      else if (mode === "replace") replaceValue(map, lower, value!);
      else removeAll(map, lower);
      return WasmResult.Ok;
    }
    const s = this.vm.targetStream();
    if (!s) return WasmResult.BadArgument;
    if (type === MapType.HttpResponseHeaders) return WasmResult.Ok; // no response yet in a request callback
    if (type !== MapType.HttpRequestHeaders) return WasmResult.Unimplemented;
    return this.apisixSetRequestHeader(s, key, value ?? "", mode);
  }

  /** ngx_http_wasm_set_req_header: :path and :method rewrite the request; others are headers. */
  private apisixSetRequestHeader(s: StreamContext, key: string, value: string, mode: "add" | "replace" | "remove"): WasmResult {
    const lower = key.toLowerCase();
    if (lower.startsWith(":") && value === "") return WasmResult.BadArgument; // can't remove pseudo header
    if (lower === ":path") {
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return WasmResult.BadArgument;
      s.info.rewrittenPath = value; // r->uri changes; :path keeps reading r->unparsed_uri
      return WasmResult.Ok;
    }
    if (lower === ":method") {
      if (!/^[A-Za-z]*$/.test(value)) return WasmResult.BadArgument;
      s.info.method = value;
      return WasmResult.Ok;
    }
    if (mode !== "add") removeAll(s.headers, lower);
    if (mode !== "remove") s.headers.push([lower, value]);
    return WasmResult.Ok;
  }

  /** proxy_set_header_map_pairs (Envoy only). */
  setPairs(type: number, pairs: Pairs): WasmResult {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.envoyMap(type, true);
    if (!map) return WasmResult.BadArgument;
    map.splice(0, map.length, ...pairs.map(([k, v]): [string, string] => [k.toLowerCase(), v]));
    return WasmResult.Ok;
  }

  /** proxy_get_header_map_size (Envoy only): byte size of the map. */
  getSize(type: number): Result<number> {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.envoyMap(type, true);
    return map ? { value: map.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) } : WasmResult.BadArgument;
  }
}
