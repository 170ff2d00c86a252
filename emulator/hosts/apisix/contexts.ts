// How APISIX creates, configures and ends contexts and delivers stream callbacks (wasm-nginx-module
// src/http/ngx_http_wasm_module.c, ngx_http_wasm_state.c; apisix/wasm.lua, proxy-wasm.lua): no
// proxy_on_vm_start, ids reused FIFO, end_of_stream always 1, and after every callback the Lua side
// decides what happens next (a registered callout, a local reply, continue, or a crash).
import type { Callbacks } from "../../callbacks.ts";
import type { Callout, Pairs } from "../../types.ts";
import { EMPTY, type ApisixOutcome, type CallResponse, type Frame, type RootContext, type StreamContext, type VmState } from "../../vm-state.ts";
import type { BehaviourDeps, ContextLifecycle } from "../behaviour.ts";
import type { AbiVersion } from "../linking.ts";

export class ApisixContexts implements ContextLifecycle {
  private readonly vm: VmState;
  private readonly callbacks: Callbacks;
  private readonly abi: AbiVersion;

  constructor(deps: BehaviourDeps) {
    ({ vm: this.vm, callbacks: this.callbacks, abi: this.abi } = deps);
  }

  /** Plugin context ids are reused FIFO after deletion. */
  newRootId(): number {
    return this.vm.freeRootIds.shift() ?? this.vm.allocId();
  }

  /** proxy_on_context_create(id, 0) then proxy_on_configure; an empty configuration never reaches the filter. */
  startRoot(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    if (config.length === 0) {
      this.vm.event("apisix: bad conf: an empty plugin configuration is refused before proxy_on_configure");
      return false;
    }
    if (this.callbacks.tryInvoke("proxy_on_context_create", [id, 0], { contextId: id }) === null) return false;
    return this.configureRoot(id, config);
  }

  /** proxy_on_configure: wasmtime's call answers NGX_OK (0) for a missing export, which is failure. */
  configureRoot(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    const result = this.callbacks.tryInvoke("proxy_on_configure", [id, config.length], { contextId: id, pluginConfig: config }, 0);
    if (result === null) return false;
    if (result > 0) return true;
    // ngx_http_wasm_on_configure → delete_plugin_ctx: on_done + on_delete. (The id stays with this
    // route so request() can retry configure on it, as fetch_plugin_ctx does.)
    this.vm.event(`apisix: failed to configure plugin context ${id}, rc: ${result}`);
    this.finish(id);
    return false;
  }

  deleteRoot(id: number): void {
    this.finish(id);
    this.vm.roots.delete(id);
    this.vm.freeRootIds.push(id);
  }

  /** proxy_on_done then proxy_on_delete, whatever on_done answers. */
  private finish(id: number): void {
    if (this.vm.failed) return;
    if (this.callbacks.tryInvoke("proxy_on_done", [id], { contextId: id }, 1) !== null) {
      this.callbacks.tryInvoke("proxy_on_delete", [id], { contextId: id });
    }
  }

  /** Http context ids are reused FIFO per plugin context. */
  newStreamId(root: RootContext): number {
    return root.freeStreamIds.shift() ?? this.vm.allocId();
  }

  streamDeleted(s: StreamContext): void {
    this.vm.roots.get(s.rootId)?.freeStreamIds.push(s.id);
  }

  /**
   * Always proxy_on_request_headers(ctx, 0, 1); pseudo-headers live in the request info, not the map.
   * An `:authority` becomes the Host header when the list has none (an HTTP/1.1 request line, HTTP/2's
   * :authority); with neither the request has no Host (HTTP/1.0). An absolute-form target leaves nginx
   * the path only (r->unparsed_uri).
   */
  requestHeaders(s: StreamContext, headers: Pairs, _endOfStream: boolean): number[] {
    s.headers = headers.filter(([k]) => !k.startsWith(":"));
    const authority = headers.find(([k]) => k === ":authority")?.[1];
    if (authority !== undefined && !s.headers.some(([k]) => k === "host")) s.headers.unshift(["host", authority]);
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(s.info.path);
    if (absolute) {
      const rest = s.info.path.slice(absolute[0].length);
      s.info.path = rest.startsWith("/") ? rest : `/${rest}`;
    }
    s.headersAvailable = true;
    return this.abi === "0_1_0" ? [s.id, 0] : [s.id, 0, 1];
  }

  /** The whole body at once; state->body is only replaced by a non-empty body (buffers.ts: readable in body callbacks). */
  requestBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[] {
    if (chunk.length > 0) this.vm.roots.get(s.rootId)!.lastBody = chunk;
    return [s.id, chunk.length, endOfStream ? 1 : 0];
  }

  /** proxy_on_response_headers(ctx, 0, 1) from the header filter (proxy-wasm.lua passes no count, eof 1). */
  responseHeaders(s: StreamContext, headers: Pairs, _endOfStream: boolean): number[] {
    const status = Number(headers.find(([k]) => k === ":status")?.[1] ?? 0);
    s.response = { headers: headers.filter(([k]) => k !== ":status"), headersAvailable: true, body: EMPTY, bufferingBody: false, status };
    return [s.id, 0, 1];
  }

  /** proxy_on_response_body(ctx, #ngx.arg[1], ngx.arg[2]); the piece readable as the body (state->body). */
  responseBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[] {
    if (chunk.length > 0) this.vm.roots.get(s.rootId)!.lastBody = chunk;
    if (s.response) s.response.headersAvailable = false; // the header is sent: header writes answer NGX_DECLINED
    return [s.id, chunk.length, endOfStream ? 1 : 0];
  }

  /** Request callbacks decide what the Lua side does next; response callbacks' results are ignored (pw.lua 337-375). */
  afterStreamCallback(s: StreamContext, name: string, result: number, frame: Frame): void {
    if (name === "proxy_on_response_headers" || name === "proxy_on_response_body") return;
    s.apisixOutcome = this.outcome(s, result, frame);
  }

  /** On the root context, the request being processed set, trailers always 0. */
  callResponse(callout: Callout, response: CallResponse) {
    return {
      args: [callout.rootId, callout.token, response.headers.length, response.body.length, 0],
      frame: { contextId: callout.rootId, requestId: callout.streamId, callResponse: response },
    };
  }

  /** wasmtime calls proxy_on_http_call_response without a result: rc is always NGX_OK (0). */
  afterCallResponse(s: StreamContext | undefined, frame: Frame): void {
    if (s) s.apisixOutcome = this.outcome(s, 0, frame);
  }

  /** A trap: 503 for this request — unless the worker died, which answers nothing. */
  failStream(s: StreamContext): void {
    if (s.apisixOutcome?.kind === "crash") return;
    if (!s.localResponse) s.localResponse = { status: 503, details: "wasm_fail_stream", body: EMPTY, headers: [], grpcStatus: 14 };
  }

  /**
   * ngx_http_wasm_handle_rc_before_proxy then proxy-wasm.lua's loop. A registered callout wins; a
   * local response code ≥ 100 ends the request; 0 continues; 1 without a callout dereferences NULL.
   */
  private outcome(s: StreamContext, rc: number, frame: Frame): ApisixOutcome {
    const code = frame.localStatus ?? 0;
    if (s.registeredCallout) {
      const callout = s.registeredCallout;
      s.registeredCallout = undefined; // ngx_http_wasm_call_get takes it
      return { kind: "call", callout };
    }
    if (rc < 0) return { kind: "error", rc };
    if (code >= 100) return { kind: "local", status: code };
    if (rc === 0) return { kind: "continue" };
    if (rc >= 100) return { kind: "local", status: rc };
    const reason = rc === 1
      ? "a callback returned 1 without dispatching an http call: wasm-nginx-module reads it as \"perform the http call\" and dereferences a NULL callout (worker crash)"
      : `a callback returned ${rc}: proxy-wasm.lua's loop neither handles nor leaves it (worker spins forever)`;
    this.callbacks.markFailed(new Error(`APISIX: ${reason}`), `stream ${s.id}`);
    return { kind: "crash", reason };
  }
}
