// Stream contexts and the callbacks delivered to them (request headers, body, callout responses, ticks,
// done/log/delete), with a trap turned into the host's failure reply. The request flows in hosts/ drive
// these through the Driver interface; Host exposes them as its call… methods.
import type { Callbacks } from "./callbacks.ts";
import { FilterStatus } from "./enums.ts";
import type { Driver, HostBehaviour, ResolvedOptions } from "./hosts/behaviour.ts";
import { bodyBytes } from "./text.ts";
import type { Callout, Pairs } from "./types.ts";
import { EMPTY, WasmTrap, type Answer, type CallResponse, type StreamContext, type VmState } from "./vm-state.ts";

export class Streams implements Driver {
  constructor(
    readonly vm: VmState,
    readonly options: ResolvedOptions,
    private readonly callbacks: Callbacks,
    private readonly behaviour: HostBehaviour,
  ) {}

  get failed(): boolean {
    return this.vm.failed;
  }

  /** proxy_on_context_create(stream, root) for a fresh stream id (APISIX reuses freed ones). */
  newStream(rootId: number): number {
    const root = this.vm.roots.get(rootId);
    if (!root) throw new Error(`newStream: no root context ${rootId}`);
    const id = this.behaviour.contexts.newStreamId(root);
    this.vm.streams.set(id, {
      id, rootId, headers: [], headersAvailable: true, info: { method: "GET", path: "/", authority: "", scheme: "http" },
      body: EMPTY, bufferingBody: false, properties: new Map(), replyHeaders: [], resumed: false, reset: false, deleted: false, sentBody: [],
    });
    this.guard(() => this.callbacks.invoke("proxy_on_context_create", [id, rootId], { contextId: id, requestId: id }).result);
    return id;
  }

  /** Stream by id, or throws. */
  stream(id: number): StreamContext {
    const s = this.vm.streams.get(id);
    if (!s) throw new Error(`no stream context ${id}`);
    return s;
  }

  /** Runs a callback, turning a trap into the failure reply the host gives; returns its raw result. */
  private guard(run: () => number, stream?: StreamContext): number {
    const { contexts } = this.behaviour;
    if (this.vm.failed) {
      if (stream) contexts.failStream(stream);
      return FilterStatus.StopAllIterationAndWatermark;
    }
    try {
      return run();
    } catch (err) {
      if (!(err instanceof WasmTrap)) throw err;
      if (stream) contexts.failStream(stream);
      return FilterStatus.StopAllIterationAndWatermark;
    }
  }

  /** proxy_on_request_headers with headers in the internal form; pseudo-headers set the request info. */
  deliverRequestHeaders(streamId: number, headers: Pairs, endOfStream: boolean): number {
    const s = this.stream(streamId);
    const pseudo = (k: string) => headers.find(([n]) => n.toLowerCase() === k)?.[1];
    s.info = {
      method: pseudo(":method") ?? s.info.method,
      path: pseudo(":path") ?? s.info.path,
      authority: pseudo(":authority") ?? pseudo("host") ?? s.info.authority,
      scheme: pseudo(":scheme") ?? s.info.scheme,
    };
    const lower: Pairs = headers.map(([k, v]) => [k.toLowerCase(), v]);
    return this.runStreamCallback(s, "proxy_on_request_headers", this.behaviour.contexts.requestHeaders(s, lower, endOfStream));
  }

  /** proxy_on_request_body with one chunk, kept as the host keeps it. */
  callOnRequestBody(streamId: number, body: Uint8Array, endOfStream: boolean): number {
    const s = this.stream(streamId);
    return this.runStreamCallback(s, "proxy_on_request_body", this.behaviour.contexts.requestBody(s, Buffer.from(body), endOfStream));
  }

  /** proxy_on_response_headers of a proxied request: `headers` are the response map as the host builds it. */
  deliverResponseHeaders(streamId: number, headers: Pairs, endOfStream: boolean): number {
    const s = this.stream(streamId);
    return this.runStreamCallback(s, "proxy_on_response_headers", this.behaviour.contexts.responseHeaders(s, headers, endOfStream));
  }

  /** proxy_on_response_body with one piece of the response, kept as the host keeps it. */
  deliverResponseBody(streamId: number, chunk: Buffer, endOfStream: boolean): number {
    const s = this.stream(streamId);
    return this.runStreamCallback(s, "proxy_on_response_body", this.behaviour.contexts.responseBody(s, chunk, endOfStream));
  }

  private runStreamCallback(s: StreamContext, name: string, args: number[]): number {
    return this.guard(() => {
      const r = this.callbacks.invoke(name, args, { contextId: s.id, requestId: s.id });
      this.behaviour.contexts.afterStreamCallback(s, name, r.result, r.frame);
      return r.result >>> 0;
    }, s);
  }

  /** proxy_on_http_call_response for pending callout `token`, the answer shaped as the host shapes it. */
  deliverCallResponse(rootId: number, token: number, answer: Answer | null): void {
    const callout = this.vm.pending.get(token);
    if (!callout) {
      this.vm.event(`no pending callout with token ${token}`);
      return;
    }
    this.vm.pending.delete(token);
    if (callout.rootId !== rootId) this.vm.event(`callout ${token} belongs to root ${callout.rootId}, not ${rootId}`);
    const shaped = answer && this.behaviour.shapeAnswer(answer);
    const response: CallResponse = shaped
      ? { rootId: callout.rootId, headers: shaped.headers, body: Buffer.from(bodyBytes(shaped.body ?? EMPTY)), trailers: shaped.trailers ?? [], failed: false }
      : { rootId: callout.rootId, headers: [], body: EMPTY, trailers: [], failed: true };
    const s = this.vm.streams.get(callout.streamId);
    const { contexts } = this.behaviour;
    const { args, frame } = contexts.callResponse(callout, response);
    this.guard(() => {
      const r = this.callbacks.invoke("proxy_on_http_call_response", args, frame);
      contexts.afterCallResponse(s, r.frame);
      return r.result;
    }, s);
  }

  callOnTick(rootId: number): void {
    this.guard(() => this.callbacks.invoke("proxy_on_tick", [rootId], { contextId: rootId }).result);
  }

  getTickPeriod(rootId: number): number {
    return this.vm.tickPeriods.get(rootId) ?? 0;
  }

  getPendingCallouts(): Callout[] {
    return [...this.vm.pending.values()];
  }

  callOnDone(streamId: number): void {
    this.guard(() => this.callbacks.invoke("proxy_on_done", [streamId], { contextId: streamId, requestId: streamId }, 1).result);
  }

  callOnLog(streamId: number): void {
    this.guard(() => this.callbacks.invoke("proxy_on_log", [streamId], { contextId: streamId, requestId: streamId }).result);
  }

  /** proxy_on_delete(stream); the stream is then deleted (APISIX frees its id). */
  callOnDelete(streamId: number): void {
    const s = this.vm.streams.get(streamId);
    this.guard(() => this.callbacks.invoke("proxy_on_delete", [streamId], { contextId: streamId, requestId: streamId }).result);
    if (!s || s.deleted) return;
    s.deleted = true;
    this.behaviour.contexts.streamDeleted(s);
  }
}
