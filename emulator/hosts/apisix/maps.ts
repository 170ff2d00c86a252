// APISIX's proxy_*_header_map_* functions (wasm-nginx-module src/http/ngx_http_wasm_api.c): the request
// map is nginx's headers plus :scheme, :path, :method, :authority; writing :path or :method rewrites the
// request; other maps are NotFound or Unimplemented. Without a Host header (HTTP/1.0), building
// :authority dereferences NULL and the worker dies.
import { MapType, WasmResult } from "../../enums.ts";
import { firstValue, removeAll } from "../../header-map.ts";
import type { Pairs, Result } from "../../types.ts";
import type { ResponseState, StreamContext, VmState } from "../../vm-state.ts";
import type { MapFunctions } from "../behaviour.ts";
import { crashWorker, currentRequest, readableCallResponse } from "./context.ts";

/** ngx_http_wasm_get_authority (api.c 828-834) returns &r->headers_in.host->value with no NULL check. */
const NO_HOST_CRASH = "SIGSEGV reading :authority of a request without Host: ngx_http_wasm_get_authority "
  + "dereferences a NULL r->headers_in.host (wasm-nginx-module src/http/ngx_http_wasm_api.c 828-834)";

/** The pseudo-headers' getters in table order (api.c 114-119), run only for the key asked for. */
const PSEUDO: [string, (s: StreamContext) => string][] = [
  [":scheme", (s) => s.info.scheme],
  [":path", (s) => s.info.path],
  [":method", (s) => s.info.method],
  [":authority", (s) => firstValue(s.headers, "host") ?? crashWorker(s, NO_HOST_CRASH)],
];

/** APISIX's view of the request headers: nginx's (lower-cased) headers, then :scheme, :path, :method, :authority. */
export function requestMap(s: StreamContext): Pairs {
  return [...s.headers, ...PSEUDO.map(([name, get]): [string, string] => [name, get(s)])];
}

export class ApisixMaps implements MapFunctions {
  constructor(private readonly vm: VmState) {}

  /** proxy_get_header_map_pairs: the request map runs every pseudo-header getter. */
  getPairs(type: number): Result<Pairs> {
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument;
    if (type === MapType.HttpRequestHeaders) return { value: requestMap(s) };
    if (type === MapType.HttpResponseHeaders) return { value: s.response ? responseMap(s.response) : [] };
    if (type === MapType.HttpCallResponseHeaders) {
      const cr = readableCallResponse(this.vm);
      return cr && cr.headers.length > 0 ? { value: cr.headers } : WasmResult.NotFound;
    }
    return WasmResult.Unimplemented;
  }

  /**
   * proxy_get_header_map_value: first value, NotFound when missing. A request key starting with ':' runs
   * only its own getter (api.c 870-907); any other is looked up among nginx's headers (1291-1321).
   */
  getValue(type: number, key: string): Result<string> {
    if (type === MapType.HttpRequestHeaders) {
      const s = currentRequest(this.vm);
      if (!s) return WasmResult.BadArgument;
      const lower = key.toLowerCase();
      const pseudo = PSEUDO.find(([name]) => name === lower);
      const value = pseudo ? pseudo[1](s) : firstValue(s.headers, lower);
      return value === undefined ? WasmResult.NotFound : { value };
    }
    if (type === MapType.HttpResponseHeaders) {
      // ngx_http_wasm_resp_get_header (api.c 1329-1377): `:status`, else lua-nginx's get_resp_header.
      const s = currentRequest(this.vm);
      if (!s) return WasmResult.BadArgument;
      const r = s.response;
      const value = !r ? undefined : key === ":status" ? String(r.status ?? 0) : firstValue(r.headers, key.toLowerCase());
      return value === undefined ? WasmResult.NotFound : { value };
    }
    const pairs = this.getPairs(type);
    if (typeof pairs === "number") return type === MapType.HttpCallResponseHeaders ? WasmResult.NotFound : pairs;
    const value = firstValue(pairs.value, key);
    return value === undefined ? WasmResult.NotFound : { value };
  }

  /** proxy_add/replace/remove_header_map_value; `value` undefined = remove. */
  edit(type: number, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult {
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument;
    if (type === MapType.HttpResponseHeaders) return setResponseHeader(s, key, value, mode);
    if (type !== MapType.HttpRequestHeaders) return WasmResult.Unimplemented;
    return this.setRequestHeader(s, key, value ?? "", mode);
  }

  /**
   * ngx_http_wasm_set_req_header (api.c 300-423): :path rewrites r->uri; :method and — by the same branch —
   * :authority set the method (letters only); :scheme and unknown pseudo-headers become ordinary headers
   * whose name lua-nginx escapes (":" → "%3A"); others are headers.
   */
  private setRequestHeader(s: StreamContext, key: string, value: string, mode: "add" | "replace" | "remove"): WasmResult {
    let lower = key.toLowerCase();
    if (lower.startsWith(":") && value === "") return WasmResult.BadArgument; // can't remove pseudo header
    if (lower === ":path") {
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return WasmResult.BadArgument;
      s.info.rewrittenPath = value; // r->uri changes; :path keeps reading r->unparsed_uri
      return WasmResult.Ok;
    }
    if (lower === ":method" || lower === ":authority") {
      if (!/^[A-Za-z]*$/.test(value)) return WasmResult.BadArgument;
      s.info.method = value;
      return WasmResult.Ok;
    }
    lower = lower.replace(/:/g, "%3A"); // ngx_http_lua_copy_escaped_header
    if (mode !== "add") removeAll(s.headers, lower);
    if (mode !== "remove") s.headers.push([lower, value]);
    return WasmResult.Ok;
  }

  /** Linked but Unimplemented (linking.ts answers before this is reached). */
  setPairs(): WasmResult {
    return WasmResult.Unimplemented;
  }

  /** Not linked on APISIX (the module cannot import it). */
  getSize(): Result<number> {
    return WasmResult.Unimplemented;
  }
}

/**
 * ngx_http_wasm_resp_get_headers (api.c 1012-1184): nginx's headers_out list (names lower-cased), then the
 * ones nginx keeps apart — content-type, content-length — then a connection header it synthesizes, then
 * `:status` (transfer-encoding is not known yet: the chunked filter runs after the header filter).
 */
function responseMap(r: ResponseState): Pairs {
  const apart = new Set(["content-type", "content-length"]);
  const list: Pairs = r.headers.filter(([k]) => !apart.has(k));
  for (const name of apart) {
    const value = firstValue(r.headers, name);
    if (value !== undefined) list.push([name, value]);
  }
  list.push(["connection", "keep-alive"]);
  if (r.status) list.push([":status", String(r.status)]);
  return list;
}

/**
 * ngx_http_wasm_set_resp_header (api.c 427-470): `:status` through ngx.status (digits only, never removed),
 * others through lua-nginx's set_resp_header ("_" becomes "-"). Outside the header filter — no response
 * yet in a request callback, or the header already sent in a body callback — Ok with no effect.
 */
function setResponseHeader(s: StreamContext, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult {
  const r = s.response;
  if (key.toLowerCase() === ":status") {
    if (value === undefined || !/^\d+$/.test(value)) return WasmResult.BadArgument;
    if (r?.headersAvailable) r.status = Number(value);
    return WasmResult.Ok;
  }
  if (!r?.headersAvailable) return WasmResult.Ok;
  const name = key.toLowerCase().replace(/_/g, "-");
  if (mode !== "add") removeAll(r.headers, name);
  if (mode !== "remove") r.headers.push([name, value ?? ""]);
  return WasmResult.Ok;
}
