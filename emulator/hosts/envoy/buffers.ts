// Envoy's proxy_get_buffer_bytes and friends (context.cc getBuffer + exports.cc get_buffer_bytes):
// reads are clamped to the buffer, and buffers outside their callbacks read as empty.
import { BufferType, WasmResult } from "../../enums.ts";
import type { Result } from "../../types.ts";
import { EMPTY, type VmState } from "../../vm-state.ts";
import type { BufferFunctions, ResolvedOptions } from "../behaviour.ts";
import { effectiveStream, readableCallResponse } from "./context.ts";

export class EnvoyBuffers implements BufferFunctions {
  constructor(private readonly vm: VmState, private readonly opts: ResolvedOptions) {}

  private buffer(type: number): Buffer | undefined {
    switch (type) {
      case BufferType.HttpRequestBody:
        return effectiveStream(this.vm)?.body ?? EMPTY;
      case BufferType.HttpResponseBody:
        return effectiveStream(this.vm)?.response?.body ?? EMPTY;
      case BufferType.HttpCallResponseBody:
        return readableCallResponse(this.vm)?.body;
      case BufferType.VmConfiguration:
        return Buffer.from(this.opts.vmConfig ?? "");
      case BufferType.PluginConfiguration:
        return this.vm.frame?.pluginConfig;
      default:
        return EMPTY; // response body, network data, gRPC: an empty buffer outside their callbacks
    }
  }

  /** proxy_get_buffer_bytes: clamped (an empty read is ptr 0 / size 0). */
  getBytes(type: number, start: number, length: number): Result<Buffer> {
    if (type >>> 0 > BufferType.PluginConfiguration) return WasmResult.BadArgument;
    const data = this.buffer(type);
    if (!data) return WasmResult.NotFound;
    const from = start >>> 0;
    const len = from > data.length ? 0 : Math.min(length >>> 0, data.length - from);
    return { value: data.subarray(from, from + len) };
  }

  /** proxy_get_buffer_status: size of the buffer. */
  getSize(type: number): Result<number> {
    if (type >>> 0 > BufferType.PluginConfiguration) return WasmResult.BadArgument;
    const data = this.buffer(type);
    return data ? { value: data.length } : WasmResult.NotFound;
  }

  /**
   * proxy_set_buffer_bytes: Buffer::copyFrom on the request or response body — the current chunk in its body
   * callback, or what is buffered after StopIterationAndBuffer (modifyDecodingBuffer / modifyEncodingBuffer).
   * Anywhere else the body is no buffer instance (e.g. in on_request_headers: no body can be added):
   * BadArgument, "Setting a string buffer not supported".
   */
  setBytes(type: number, start: number, length: number, data: Buffer): WasmResult {
    const s = effectiveStream(this.vm);
    if (type >>> 0 > 7) return WasmResult.BadArgument;
    if (!s || (type !== BufferType.HttpRequestBody && type !== BufferType.HttpResponseBody)) return WasmResult.NotFound;
    const callback = this.vm.frame?.callback;
    if (type === BufferType.HttpRequestBody) {
      if (callback !== "proxy_on_request_body" && !s.bufferingBody) return WasmResult.BadArgument;
      const body = copyFrom(s.body, start, length, data);
      if (!body) return WasmResult.BadArgument;
      s.body = body;
      return WasmResult.Ok;
    }
    const r = s.response;
    if (!r || (callback !== "proxy_on_response_body" && !r.bufferingBody)) return WasmResult.BadArgument;
    const body = copyFrom(r.body, start, length, data);
    if (!body) return WasmResult.BadArgument;
    r.body = body;
    return WasmResult.Ok;
  }

  /** proxy_get_configuration (ABI 0.1.0): the plugin configuration in on_configure, else the VM's. */
  getConfiguration(): Result<Buffer> {
    return { value: this.vm.frame?.pluginConfig ?? Buffer.from(this.opts.vmConfig ?? "") };
  }
}

/** Envoy's Buffer::copyFrom: start 0 drains `length` bytes and prepends, start ≥ size appends; null otherwise. */
function copyFrom(body: Buffer, start: number, length: number, data: Buffer): Buffer | null {
  const size = body.length;
  if (start === 0) return Buffer.concat([data, body.subarray(Math.min(length >>> 0, size))]);
  if (start >>> 0 >= size) return Buffer.concat([body, data]);
  return null;
}
