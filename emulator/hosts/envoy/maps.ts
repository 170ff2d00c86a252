// Envoy's proxy_*_header_map_* functions (context.cc getMap/getConstMap): request headers only while
// the filter holds the request, callout response maps only in their callback, BadArgument for a map
// that is not available.
import { MapType, WasmResult } from "../../enums.ts";
import { removeAll, replaceValue } from "../../header-map.ts";
import { byteLength } from "../../text.ts";
import type { Pairs, Result } from "../../types.ts";
import type { VmState } from "../../vm-state.ts";
import type { MapFunctions } from "../behaviour.ts";
import { effectiveStream, readableCallResponse } from "./context.ts";

export class EnvoyMaps implements MapFunctions {
  constructor(private readonly vm: VmState) {}

  /** getMap/getConstMap: null when the map is not available in this callback. */
  private map(type: number, mutable: boolean): Pairs | null {
    if (type === MapType.HttpRequestHeaders) {
      const s = effectiveStream(this.vm);
      return s?.headersAvailable ? s.headers : null;
    }
    if (type === MapType.HttpResponseHeaders) {
      // response_headers_: set by encodeHeaders, nulled when on_response_headers continued; writes after the
      // held headers went downstream still land here (Ok) but reach no one.
      const r = effectiveStream(this.vm)?.response;
      return r?.headersAvailable ? r.headers : null;
    }
    if (mutable) return null;
    const cr = readableCallResponse(this.vm);
    if (type === MapType.HttpCallResponseHeaders) return cr?.headers ?? null;
    if (type === MapType.HttpCallResponseTrailers) return cr?.trailers ?? null;
    return null;
  }

  /** proxy_get_header_map_pairs: an unavailable map reads as empty. */
  getPairs(type: number): Result<Pairs> {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    return { value: this.map(type, false) ?? [] };
  }

  /** proxy_get_header_map_value: first value; NotFound when missing. */
  getValue(type: number, key: string): Result<string> {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.map(type, false);
    if (!map) return WasmResult.BadArgument;
    const lower = key.toLowerCase();
    const hit = map.find(([k]) => k === lower);
    return hit ? { value: hit[1] } : WasmResult.NotFound;
  }

  /** proxy_add/replace/remove_header_map_value; `value` undefined = remove. */
  edit(type: number, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.map(type, true);
    if (!map) return WasmResult.BadArgument;
    const lower = key.toLowerCase();
    if (mode === "add") map.push([lower, value!]);
    else if (mode === "replace") replaceValue(map, lower, value!);
    else removeAll(map, lower);
    return WasmResult.Ok;
  }

  /** proxy_set_header_map_pairs. */
  setPairs(type: number, pairs: Pairs): WasmResult {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.map(type, true);
    if (!map) return WasmResult.BadArgument;
    map.splice(0, map.length, ...pairs.map(([k, v]): [string, string] => [k.toLowerCase(), v]));
    return WasmResult.Ok;
  }

  /** proxy_get_header_map_size: byte size of the map. */
  getSize(type: number): Result<number> {
    if (type >>> 0 > MapType.HttpCallResponseTrailers) return WasmResult.BadArgument;
    const map = this.map(type, true);
    return map ? { value: map.reduce((n, [k, v]) => n + byteLength(k) + byteLength(v), 0) } : WasmResult.BadArgument;
  }
}
