// APISIX's proxy_*_header_map_* functions (wasm-nginx-module src/http/ngx_http_wasm_api.c): the request
// map is nginx's headers plus :scheme, :path, :method, :authority; writing :path or :method rewrites the
// request; other maps are NotFound or Unimplemented. Without a Host header (HTTP/1.0), building
// :authority dereferences NULL and the worker dies.
import { MapType, WasmResult } from "../../enums.ts";
import { firstValue, removeAll } from "../../header-map.ts";
import type { Pairs, Result } from "../../types.ts";
import type { StreamContext, VmState } from "../../vm-state.ts";
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
    if (type === MapType.HttpResponseHeaders) return { value: [] };
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
    const pairs = this.getPairs(type);
    if (typeof pairs === "number") return type === MapType.HttpCallResponseHeaders ? WasmResult.NotFound : pairs;
    const value = firstValue(pairs.value, key);
    return value === undefined ? WasmResult.NotFound : { value };
  }

  /** proxy_add/replace/remove_header_map_value; `value` undefined = remove. */
  edit(type: number, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult {
    const s = currentRequest(this.vm);
    if (!s) return WasmResult.BadArgument;
    if (type === MapType.HttpResponseHeaders) return WasmResult.Ok; // no response yet in a request callback
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
