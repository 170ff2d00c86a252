// APISIX's proxy_*_header_map_* functions (ngx_http_wasm_api.c): the request map is nginx's headers
// plus :scheme, :path, :method; writing :path or :method rewrites the request; other maps are
// NotFound or Unimplemented.
import { MapType, WasmResult } from "../../enums.ts";
import { firstValue, removeAll } from "../../header-map.ts";
import type { Pairs, Result } from "../../types.ts";
import type { StreamContext, VmState } from "../../vm-state.ts";
import type { MapFunctions } from "../behaviour.ts";
import { currentRequest, readableCallResponse } from "./context.ts";

/** APISIX's view of the request headers: nginx's (lower-cased) headers, then :scheme, :path, :method. */
export function requestMap(s: StreamContext): Pairs {
  return [...s.headers, [":scheme", s.info.scheme], [":path", s.info.path], [":method", s.info.method]];
}

export class ApisixMaps implements MapFunctions {
  constructor(private readonly vm: VmState) {}

  /** proxy_get_header_map_pairs. */
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

  /** proxy_get_header_map_value: first value; NotFound when missing. */
  getValue(type: number, key: string): Result<string> {
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

  /** ngx_http_wasm_set_req_header: :path and :method rewrite the request; others are headers. */
  private setRequestHeader(s: StreamContext, key: string, value: string, mode: "add" | "replace" | "remove"): WasmResult {
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

  /** Linked but Unimplemented (linking.ts answers before this is reached). */
  setPairs(): WasmResult {
    return WasmResult.Unimplemented;
  }

  /** Not linked on APISIX (the module cannot import it). */
  getSize(): Result<number> {
    return WasmResult.Unimplemented;
  }
}
