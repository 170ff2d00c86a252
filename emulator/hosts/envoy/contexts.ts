// How Envoy creates, configures and ends contexts and delivers stream callbacks (proxy-wasm-cpp-host
// src/context.cc, src/wasm.cc; envoy context.cc): proxy_on_vm_start for every root context, context
// ids never reused, the body buffered while the filter asks for it.
import type { Callbacks } from "../../callbacks.ts";
import type { Callout, Pairs } from "../../types.ts";
import { EMPTY, type CallResponse, type Frame, type RootContext, type StreamContext, type VmState } from "../../vm-state.ts";
import type { BehaviourDeps, ContextLifecycle, ResolvedOptions } from "../behaviour.ts";
import type { AbiVersion } from "../linking.ts";
import { appendBody } from "./body-buffer.ts";

export class EnvoyContexts implements ContextLifecycle {
  private readonly vm: VmState;
  private readonly callbacks: Callbacks;
  private readonly opts: ResolvedOptions;
  private readonly abi: AbiVersion;

  constructor(deps: BehaviourDeps) {
    ({ vm: this.vm, callbacks: this.callbacks, options: this.opts, abi: this.abi } = deps);
  }

  newRootId(): number {
    return this.vm.allocId();
  }

  /** proxy_on_context_create + proxy_on_vm_start (WasmBase::start → onStart, per root) + configure. */
  startRoot(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    if (this.callbacks.tryInvoke("proxy_on_context_create", [id, 0], { contextId: id, pluginConfig: config }) === null) return false;
    const vmConfig = Buffer.from(this.opts.vmConfig ?? "");
    const started = this.callbacks.tryInvoke("proxy_on_vm_start", [id, vmConfig.length], { contextId: id }, 1);
    if (started === null) return false;
    if (started === 0) {
      this.vm.event(`envoy: proxy_on_vm_start returned false for root context ${id}: plugin not started`);
      return false;
    }
    return this.configureRoot(id, config);
  }

  /** proxy_on_configure; a missing export counts as success, false refuses the configuration. */
  configureRoot(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    const result = this.callbacks.tryInvoke("proxy_on_configure", [id, config.length], { contextId: id, pluginConfig: config }, 1);
    if (result === null) return false;
    if (result === 0) this.vm.event(`envoy: proxy_on_configure rejected the configuration of root context ${id}`);
    return result !== 0;
  }

  deleteRoot(id: number): void {
    this.finish(id);
    this.vm.roots.delete(id);
  }

  /** proxy_on_done, then proxy_on_delete once the context says it is done. */
  private finish(id: number): void {
    if (this.vm.failed) return;
    const done = this.callbacks.tryInvoke("proxy_on_done", [id], { contextId: id }, 1);
    if (done !== null && done !== 0) this.callbacks.tryInvoke("proxy_on_delete", [id], { contextId: id });
  }

  newStreamId(_root: RootContext): number {
    return this.vm.allocId();
  }

  streamDeleted(_s: StreamContext): void {}

  /** proxy_on_request_headers(ctx, headers, end_of_stream): the whole map, pseudo-headers first. */
  requestHeaders(s: StreamContext, headers: [string, string][], endOfStream: boolean): number[] {
    s.headers = headers;
    s.headersAvailable = true;
    return this.abi === "0_1_0" ? [s.id, s.headers.length] : [s.id, s.headers.length, endOfStream ? 1 : 0];
  }

  /** Appended to the buffered body when the last body callback asked to buffer; buffer 0 = all so far. */
  requestBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[] {
    s.body = s.bufferingBody ? appendBody(s.body, chunk) : chunk;
    return [s.id, s.body.length, endOfStream ? 1 : 0];
  }

  /** proxy_on_response_headers(ctx, headers, end_of_stream): the map with `:status` first (encodeHeaders). */
  responseHeaders(s: StreamContext, headers: Pairs, endOfStream: boolean): number[] {
    s.response = { headers, headersAvailable: true, body: EMPTY, bufferingBody: false };
    return [s.id, headers.length, endOfStream ? 1 : 0];
  }

  /** encodeData: appended to what is buffered when the last body callback asked to buffer (size = all of it). */
  responseBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[] {
    const r = s.response!;
    r.body = r.bufferingBody ? appendBody(r.body, chunk) : chunk;
    return [s.id, r.body.length, endOfStream ? 1 : 0];
  }

  /**
   * Envoy keeps request_headers_ / response_headers_ while the filter holds them (not Continue), and the
   * body buffered after StopIterationAndBuffer; a request body chunk the filter continues goes upstream.
   */
  afterStreamCallback(s: StreamContext, name: string, result: number, frame: Frame): void {
    const action = result >>> 0;
    const dataStatus = frame.stopNext || action > 3 ? 3 : action; // convertVmCallResultToFilterDataStatus
    if (name === "proxy_on_request_headers" && action === 0 && !frame.stopNext) s.headersAvailable = false;
    if (name === "proxy_on_request_body") {
      s.bufferingBody = dataStatus === 1;
      if (dataStatus === 0) {
        if (s.body.length > 0) s.sentBody.push(s.body);
        s.body = EMPTY;
      }
    }
    if (name === "proxy_on_response_headers" && action === 0 && !frame.stopNext && s.response) s.response.headersAvailable = false;
    if (name === "proxy_on_response_body" && s.response) s.response.bufferingBody = dataStatus === 1;
  }

  /** On the root context, with the callout's trailers counted. */
  callResponse(callout: Callout, response: CallResponse) {
    return {
      args: [callout.rootId, callout.token, response.headers.length, response.body.length, response.trailers.length],
      frame: { contextId: callout.rootId, requestId: 0, callResponse: response },
    };
  }

  afterCallResponse(): void {}

  /** failStream: 503 "wasm_fail_stream", or nothing with fail_open (the request bypasses the filter). */
  failStream(s: StreamContext): void {
    if (this.opts.failOpen) return;
    if (!s.localResponse) s.localResponse = { status: 503, details: "wasm_fail_stream", body: EMPTY, headers: [], grpcStatus: 14 };
  }
}
