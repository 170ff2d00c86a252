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

  /** proxy_set_buffer_bytes: Buffer::copyFrom rules on the request body. */
  setBytes(type: number, start: number, length: number, data: Buffer): WasmResult {
    const s = effectiveStream(this.vm);
    if (type !== BufferType.HttpRequestBody || !s) return type >>> 0 > 7 ? WasmResult.BadArgument : WasmResult.NotFound;
    const size = s.body.length;
    if (start === 0 && length === 0) s.body = Buffer.concat([data, s.body]);
    else if (start === 0 && length >>> 0 >= size) s.body = Buffer.from(data);
    else if (start >>> 0 >= size) s.body = Buffer.concat([s.body, data]);
    else return WasmResult.BadArgument;
    return WasmResult.Ok;
  }

  /** proxy_get_configuration (ABI 0.1.0): the plugin configuration in on_configure, else the VM's. */
  getConfiguration(): Result<Buffer> {
    return { value: this.vm.frame?.pluginConfig ?? Buffer.from(this.opts.vmConfig ?? "") };
  }
}
