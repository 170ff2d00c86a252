// APISIX's proxy_get_buffer_bytes (ngx_http_wasm_api.c): NotFound for empty data, BadArgument for a
// bad range (start and size are signed there), the plugin configuration always whole, and the request
// body readable only inside the body callback — where an empty body still shows the previous request's
// (measured on wasm-nginx-module 0.6.5; its source would clear it, state.c 23-33: the measurement wins).
import { BufferType, WasmResult } from "../../enums.ts";
import type { Result } from "../../types.ts";
import type { VmState } from "../../vm-state.ts";
import type { BufferFunctions } from "../behaviour.ts";
import { currentRequest, readableCallResponse } from "./context.ts";

/** The callbacks in which the body buffer holds anything. */
const BODY_CALLBACKS = new Set(["proxy_on_request_body", "proxy_on_response_body"]);

export class ApisixBuffers implements BufferFunctions {
  constructor(private readonly vm: VmState) {}

  /** proxy_get_buffer_bytes. */
  getBytes(type: number, start: number, length: number): Result<Buffer> {
    let data: Buffer | undefined;
    if (type === BufferType.PluginConfiguration) data = this.vm.frameRoot()?.config;
    else if (type === BufferType.HttpRequestBody || type === BufferType.HttpResponseBody) {
      if (BODY_CALLBACKS.has(this.vm.frame?.callback ?? "")) data = this.vm.frameRoot()?.lastBody;
    } else if (type === BufferType.HttpCallResponseBody) {
      if (!currentRequest(this.vm)) return WasmResult.BadArgument;
      data = readableCallResponse(this.vm)?.body;
    } else return WasmResult.Unimplemented;
    if (!data || data.length === 0) return WasmResult.NotFound;
    if (type === BufferType.PluginConfiguration) return { value: data }; // always fetched whole
    // start and size are signed int32 there: a "read everything" length of 0xffffffff is -1.
    if (start < 0 || length <= 0 || start >= data.length) return WasmResult.BadArgument;
    return { value: data.subarray(start, Math.min(start + length, data.length)) };
  }

  /** Not linked on APISIX (the module cannot import it). */
  getSize(): Result<number> {
    return WasmResult.Unimplemented;
  }

  /** Linked but Unimplemented (linking.ts answers before this is reached). */
  setBytes(): WasmResult {
    return WasmResult.Unimplemented;
  }

  /** proxy_get_configuration: the plugin configuration of the callback's root context. */
  getConfiguration(): Result<Buffer> {
    const conf = this.vm.frameRoot()?.config;
    return conf ? { value: conf } : WasmResult.NotFound;
  }
}
