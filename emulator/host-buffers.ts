// proxy_get_buffer_bytes and friends, per profile. Envoy (context.cc getBuffer + exports.cc
// get_buffer_bytes) clamps reads and shows empty buffers; APISIX (ngx_http_wasm_api.c) answers
// NotFound for empty data, BadArgument for a bad range, and keeps the body per plugin context.
import { BufferType, WasmResult } from "./enums.ts";
import type { HostOptions, Result } from "./types.ts";
import { EMPTY, type VmState } from "./vm-state.ts";

export class BufferCalls {
  constructor(private readonly vm: VmState, private readonly opts: HostOptions) {}

  private get envoy(): boolean {
    return this.vm.profile === "envoy";
  }

  private envoyBuffer(type: number): Buffer | undefined {
    const s = this.vm.streams.get(this.vm.effectiveId());
    switch (type) {
      case BufferType.HttpRequestBody:
        return s?.body ?? EMPTY;
      case BufferType.HttpCallResponseBody:
        return this.vm.callResponse()?.body;
      case BufferType.VmConfiguration:
        return Buffer.from(this.opts.vmConfig ?? "");
      case BufferType.PluginConfiguration:
        return this.vm.frame?.pluginConfig;
      default:
        return EMPTY; // response body, network data, gRPC: an empty buffer outside their callbacks
    }
  }

  /** proxy_get_buffer_bytes. Envoy clamps (empty read = ptr 0/size 0); APISIX is strict. */
  getBytes(type: number, start: number, length: number): Result<Buffer> {
    if (this.envoy) {
      if (type >>> 0 > BufferType.PluginConfiguration) return WasmResult.BadArgument;
      const data = this.envoyBuffer(type);
      if (!data) return WasmResult.NotFound;
      const from = start >>> 0;
      const len = from > data.length ? 0 : Math.min(length >>> 0, data.length - from);
      return { value: data.subarray(from, from + len) };
    }
    let data: Buffer | undefined;
    if (type === BufferType.PluginConfiguration) data = this.vm.frameRoot()?.config;
    else if (type === BufferType.HttpRequestBody || type === BufferType.HttpResponseBody) data = this.vm.frameRoot()?.lastBody;
    else if (type === BufferType.HttpCallResponseBody) {
      if (!this.vm.targetStream()) return WasmResult.BadArgument;
      data = this.vm.callResponse()?.body;
    } else return WasmResult.Unimplemented;
    if (!data || data.length === 0) return WasmResult.NotFound;
    if (type === BufferType.PluginConfiguration) return { value: data }; // always fetched whole
    // start and size are signed int32 there: a "read everything" length of 0xffffffff is -1.
    if (start < 0 || length <= 0 || start >= data.length) return WasmResult.BadArgument;
    return { value: data.subarray(start, Math.min(start + length, data.length)) };
  }

  /** proxy_get_buffer_status (Envoy only): size of the buffer. */
  getSize(type: number): Result<number> {
    if (type >>> 0 > BufferType.PluginConfiguration) return WasmResult.BadArgument;
    const data = this.envoyBuffer(type);
    return data ? { value: data.length } : WasmResult.NotFound;
  }

  /** proxy_set_buffer_bytes (Envoy only; APISIX answers Unimplemented): Buffer::copyFrom rules. */
  setBytes(type: number, start: number, length: number, data: Buffer): WasmResult {
    const s = this.vm.streams.get(this.vm.effectiveId());
    if (type !== BufferType.HttpRequestBody || !s) return type >>> 0 > 7 ? WasmResult.BadArgument : WasmResult.NotFound;
    const size = s.body.length;
    if (start === 0 && length === 0) s.body = Buffer.concat([data, s.body]);
    else if (start === 0 && length >>> 0 >= size) s.body = Buffer.from(data);
    else if (start >>> 0 >= size) s.body = Buffer.concat([s.body, data]);
    else return WasmResult.BadArgument;
    return WasmResult.Ok;
  }

  /** proxy_get_configuration (APISIX; Envoy ABI 0.1.0). */
  getConfiguration(): Result<Buffer> {
    if (this.envoy) return { value: this.vm.frame?.pluginConfig ?? Buffer.from(this.opts.vmConfig ?? "") };
    const conf = this.vm.frameRoot()?.config;
    return conf ? { value: conf } : WasmResult.NotFound;
  }
}
