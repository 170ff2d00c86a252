// The emulated host: loads a proxy-wasm module the way Envoy or APISIX does, manages root and stream
// contexts, and drives callbacks (proxytest style). request() (flows.ts) runs a whole request.
import { shapeAnswer } from "./callouts.ts";
import { apisixAfterCallback, runRequest } from "./flows.ts";
import { HostCalls } from "./host-calls.ts";
import { checkModule, instantiate } from "./loader.ts";
import { GuestMemory } from "./memory.ts";
import { PROFILES, type AbiVersion } from "./profiles.ts";
import { FilterStatus, LogLevel } from "./enums.ts";
import type {
  Callout, CalloutAnswer, HostOptions, LocalResponse, LogEntry, Metric, Pairs, Profile, Reply, RequestOptions, RequestSpec,
} from "./types.ts";
import { EMPTY, VmState, WasmTrap, type CallResponse, type Frame, type StreamContext } from "./vm-state.ts";
import { Wasi } from "./wasi.ts";

type ResolvedOptions = HostOptions & { pluginRootId: string; allowOnHeadersStopIteration: boolean; callouts: "capture" | "http" };

export class Host {
  /** @internal */ readonly vm: VmState;
  /** @internal */ readonly calls: HostCalls;
  /** @internal */ readonly options: ResolvedOptions;
  private exports: Record<string, any> = {};
  private memory!: GuestMemory;

  private constructor(readonly profile: Profile, options: ResolvedOptions, private readonly abi: AbiVersion) {
    this.options = options;
    this.vm = new VmState(profile);
    this.calls = new HostCalls(this.vm, options);
  }

  /** Compiles and instantiates the module as the profile's host does; throws if that host would refuse it. */
  static async load(options: HostOptions): Promise<Host> {
    const checked = await checkModule(options);
    const host = new Host(options.profile, {
      ...options,
      pluginRootId: options.pluginRootId ?? (options.profile === "envoy" ? "aws_lambda" : "aws-lambda-wasm"),
      allowOnHeadersStopIteration: options.allowOnHeadersStopIteration ?? true,
      callouts: options.callouts ?? "capture",
    }, checked.abi);
    const traits = PROFILES[options.profile];
    host.exports = await instantiate(checked, traits, {
      vm: host.vm,
      calls: host.calls,
      wasi: new Wasi({ env: options.env, now: options.now }),
      memory: () => host.memory,
      // Envoy logs module stdout at info and stderr at error, without the trailing newline.
      onOutput: (fd, text) => {
        if (host.profile === "envoy") host.calls.log(fd === 1 ? LogLevel.Info : LogLevel.Error, text.replace(/\n$/, ""), fd === 1 ? "stdout" : "stderr");
      },
    });
    host.memory = new GuestMemory(host.exports.memory, (size) => host.allocate(size), traits.allocFailure, traits.writePtrWhenEmpty);
    for (const fn of traits.startFunctions(checked.exportNames)) {
      try {
        host.invoke(fn, fn === "main" ? [0, 0] : [], { contextId: 0 });
      } catch (err) {
        throw new Error(`Host.load(${options.profile}): ${fn} trapped: ${host.vm.trap?.message ?? (err as Error).message}`);
      }
    }
    return host;
  }

  /** Calls the module's allocator in the profile's preference order; 0 on failure. */
  private allocate(size: number): number {
    for (const name of PROFILES[this.profile].allocators) {
      const fn = this.exports[name];
      if (typeof fn !== "function") continue;
      const ptr = Number(fn(size)) >>> 0;
      if (ptr !== 0 || this.profile === "envoy") return ptr;
    }
    return 0;
  }

  /** True once the VM trapped (or, on APISIX, the worker would have crashed); later requests fail. */
  get failed(): boolean {
    return this.vm.failed;
  }

  /** The error that failed the VM. */
  get trap(): Error | undefined {
    return this.vm.trap;
  }

  /**
   * @internal Runs one export as a callback. Throws WasmTrap after marking the VM failed if it traps.
   * Returns the raw i32 result (signed), `fallback` when the export is missing, and the frame used.
   */
  invoke(name: string, args: number[], frame: Partial<Frame> & { contextId: number }, fallback = 0): { result: number; frame: Frame } {
    const full: Frame = { requestId: 0, effectiveId: null, deferred: [], stopNext: false, ...frame };
    if (this.vm.failed) throw new WasmTrap(`VM already failed: ${this.vm.trap?.message}`);
    const fn = this.exports[name];
    if (typeof fn !== "function") return { result: fallback, frame: full };
    const previous = this.vm.frame;
    this.vm.frame = full;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (err) {
      this.markFailed(err instanceof Error ? err : new Error(String(err)), name);
      throw new WasmTrap(this.vm.trap!.message);
    } finally {
      this.vm.frame = previous;
    }
    for (const action of full.deferred) action();
    return { result: typeof result === "number" ? result : 0, frame: full };
  }

  /** @internal Marks the VM failed (trap, or an APISIX worker crash). */
  markFailed(error: Error, where: string): void {
    if (this.vm.failed) return;
    this.vm.failed = true;
    this.vm.trap = error;
    this.vm.event(`VM failed in ${where}: ${error.message}`);
  }

  // ---- configuration -----------------------------------------------------------------------------

  /**
   * Creates a root context and delivers `config` (objects are JSON-encoded, as APISIX does) through
   * proxy_on_configure. Envoy runs proxy_on_context_create + proxy_on_vm_start first (per root context,
   * as proxy-wasm-cpp-host's onStart does); APISIX only proxy_on_context_create. With `rootId`, the
   * configuration is delivered again to that existing root context.
   */
  configure(config: string | object, opts: { rootId?: number } = {}): { rootId: number; accepted: boolean } {
    const bytes = Buffer.from(typeof config === "string" ? config : JSON.stringify(config));
    if (opts.rootId !== undefined) {
      const root = this.vm.roots.get(opts.rootId);
      if (!root) throw new Error(`configure: no root context ${opts.rootId}`);
      root.config = bytes;
      root.accepted = this.runConfigure(root.id, bytes);
      return { rootId: root.id, accepted: root.accepted };
    }
    const id = this.profile === "apisix" ? this.vm.freeRootIds.shift() ?? this.vm.allocId() : this.vm.allocId();
    this.vm.roots.set(id, { id, config: bytes, accepted: false, lastBody: EMPTY, freeStreamIds: [] });
    this.vm.roots.get(id)!.accepted = this.startRoot(id, bytes);
    return { rootId: id, accepted: this.vm.roots.get(id)!.accepted };
  }

  /** @internal on_context_create (+ Envoy on_vm_start) + on_configure; false = configuration refused. */
  startRoot(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    if (this.profile === "apisix" && config.length === 0) return false; // proxy-wasm.lua: "bad conf"
    try {
      this.invoke("proxy_on_context_create", [id, 0], { contextId: id, pluginConfig: this.profile === "envoy" ? config : undefined });
      if (this.profile === "envoy") {
        const vmConfig = Buffer.from(this.options.vmConfig ?? "");
        const { result } = this.invoke("proxy_on_vm_start", [id, vmConfig.length], { contextId: id }, 1);
        if (result === 0) {
          this.vm.event(`envoy: proxy_on_vm_start returned false for root context ${id}: plugin not started`);
          return false;
        }
      }
    } catch (err) {
      if (err instanceof WasmTrap) return false;
      throw err;
    }
    return this.runConfigure(id, config);
  }

  private runConfigure(id: number, config: Buffer): boolean {
    if (this.vm.failed) return false;
    let result: number;
    try {
      // Envoy treats a missing proxy_on_configure as success; wasmtime's call answers NGX_OK (0) = failure.
      result = this.invoke("proxy_on_configure", [id, config.length], { contextId: id, pluginConfig: config }, this.profile === "envoy" ? 1 : 0).result;
    } catch (err) {
      if (err instanceof WasmTrap) return false;
      throw err;
    }
    const accepted = this.profile === "envoy" ? result !== 0 : result > 0;
    if (!accepted && this.profile === "apisix") {
      // ngx_http_wasm_on_configure → delete_plugin_ctx: on_done + on_delete, id back to the free list.
      this.vm.event(`apisix: failed to configure plugin context ${id}, rc: ${result}`);
      // (The id is kept for this route so request() can retry configure on it.)
      this.finishContext(id);
    }
    if (!accepted && this.profile === "envoy") this.vm.event(`envoy: proxy_on_configure rejected the configuration of root context ${id}`);
    return accepted;
  }

  /** Deletes a root context: proxy_on_done then proxy_on_delete (APISIX frees its id for reuse). */
  deleteRoot(rootId: number): void {
    if (!this.vm.roots.has(rootId)) return;
    this.finishContext(rootId);
    this.vm.roots.delete(rootId);
    if (this.profile === "apisix") this.vm.freeRootIds.push(rootId);
  }

  private finishContext(id: number): void {
    if (this.vm.failed) return;
    try {
      const { result } = this.invoke("proxy_on_done", [id], { contextId: id }, 1);
      if (result !== 0 || this.profile === "apisix") this.invoke("proxy_on_delete", [id], { contextId: id });
    } catch (err) {
      if (!(err instanceof WasmTrap)) throw err;
    }
  }

  // ---- streams (low level) -----------------------------------------------------------------------

  /** Creates a stream context: proxy_on_context_create(stream, root). APISIX reuses freed ids. */
  newStream(rootId: number): number {
    const root = this.vm.roots.get(rootId);
    if (!root) throw new Error(`newStream: no root context ${rootId}`);
    const id = this.profile === "apisix" ? root.freeStreamIds.shift() ?? this.vm.allocId() : this.vm.allocId();
    this.vm.streams.set(id, {
      id, rootId, headers: [], headersAvailable: true, info: { method: "GET", path: "/", authority: "", scheme: "http" },
      body: EMPTY, bufferingBody: false, properties: new Map(), replyHeaders: [], resumed: false, reset: false, deleted: false,
    });
    this.guard(() => this.invoke("proxy_on_context_create", [id, rootId], { contextId: id, requestId: id }));
    return id;
  }

  /** @internal Stream by id, or throws. */
  stream(id: number): StreamContext {
    const s = this.vm.streams.get(id);
    if (!s) throw new Error(`no stream context ${id}`);
    return s;
  }

  /** Runs a callback, turning a trap into the failure reply the host gives; returns the raw action. */
  private guard(run: () => { result: number }, stream?: StreamContext): number {
    if (this.vm.failed) {
      if (stream) this.failStream(stream);
      return FilterStatus.StopAllIterationAndWatermark;
    }
    try {
      return run().result;
    } catch (err) {
      if (!(err instanceof WasmTrap)) throw err;
      if (stream) this.failStream(stream);
      return FilterStatus.StopAllIterationAndWatermark;
    }
  }

  /** @internal Envoy's failStream: 503 "wasm_fail_stream" (APISIX answers 503 too). */
  failStream(s: StreamContext): void {
    if (this.profile === "envoy" && this.options.failOpen) return;
    if (!s.localResponse) s.localResponse = { status: 503, details: "wasm_fail_stream", body: EMPTY, headers: [], grpcStatus: 14 };
  }

  /**
   * Delivers request headers: Envoy proxy_on_request_headers(ctx, n, end_of_stream); APISIX always
   * (ctx, 0, 1) as wasm-nginx-module does. Pseudo-headers in `headers` set method/path/authority/scheme;
   * on APISIX they are kept apart from the header list. Returns the filter's raw action.
   */
  callOnRequestHeaders(streamId: number, headers: Pairs, endOfStream: boolean): number {
    const s = this.stream(streamId);
    const pseudo = (k: string) => headers.find(([n]) => n.toLowerCase() === k)?.[1];
    s.info = {
      method: pseudo(":method") ?? s.info.method,
      path: pseudo(":path") ?? s.info.path,
      authority: pseudo(":authority") ?? pseudo("host") ?? s.info.authority,
      scheme: pseudo(":scheme") ?? s.info.scheme,
    };
    const lower: Pairs = headers.map(([k, v]) => [k.toLowerCase(), v]);
    s.headers = this.profile === "envoy" ? lower : lower.filter(([k]) => !k.startsWith(":"));
    s.headersAvailable = true;
    const apisix = this.profile === "apisix";
    const args = this.abi === "0_1_0" ? [s.id, apisix ? 0 : s.headers.length] : [s.id, apisix ? 0 : s.headers.length, apisix || endOfStream ? 1 : 0];
    return this.runStreamCallback(s, "proxy_on_request_headers", args);
  }

  /**
   * Delivers a body chunk. Envoy: appended to the buffered body when the previous body callback
   * returned StopIterationAndBuffer, so buffer 0 = everything buffered so far. APISIX: the whole body.
   */
  callOnRequestBody(streamId: number, body: Uint8Array, endOfStream: boolean): number {
    const s = this.stream(streamId);
    const chunk = Buffer.from(body);
    if (this.profile === "envoy") s.body = s.bufferingBody ? Buffer.concat([s.body, chunk]) : chunk;
    else if (chunk.length > 0) this.vm.roots.get(s.rootId)!.lastBody = chunk; // state->body only set for a non-nil body
    const size = this.profile === "envoy" ? s.body.length : chunk.length;
    return this.runStreamCallback(s, "proxy_on_request_body", [s.id, size, endOfStream ? 1 : 0]);
  }

  private runStreamCallback(s: StreamContext, name: string, args: number[]): number {
    let stopNext = false;
    let rawAction = 0;
    const action = this.guard(() => {
      const r = this.invoke(name, args, { contextId: s.id, requestId: s.id });
      stopNext = r.frame.stopNext;
      rawAction = r.result >>> 0;
      if (this.profile === "apisix") s.apisixOutcome = apisixAfterCallback(this, s, r.result, r.frame);
      return { result: rawAction };
    }, s);
    if (this.profile === "envoy" && !this.vm.failed) this.afterEnvoyCallback(s, name, rawAction, stopNext);
    return action;
  }

  /** Envoy keeps request_headers_/the body buffer only while the filter holds the request. */
  private afterEnvoyCallback(s: StreamContext, name: string, action: number, stopNext: boolean): void {
    if (name === "proxy_on_request_headers" && action === 0 && !stopNext) s.headersAvailable = false;
    if (name === "proxy_on_request_body") {
      const status = stopNext || action > 3 ? 3 : action; // convertVmCallResultToFilterDataStatus
      s.bufferingBody = status === 1;
      if (status === 0) s.body = EMPTY;
    }
  }

  /**
   * Answers callout `token` (null = failure, 0 headers): proxy_on_http_call_response on the root
   * context, with headers (map 6) and body (buffer 4) readable only during that call.
   */
  callOnHttpCallResponse(rootId: number, token: number, answer: CalloutAnswer | null): void {
    const callout = this.vm.pending.get(token);
    if (!callout) {
      this.vm.event(`no pending callout with token ${token}`);
      return;
    }
    this.vm.pending.delete(token);
    if (callout.rootId !== rootId) this.vm.event(`callout ${token} belongs to root ${callout.rootId}, not ${rootId}`);
    const shaped = answer && shapeAnswer(answer, this.profile);
    const cr: CallResponse = shaped
      ? { rootId: callout.rootId, headers: shaped.headers, body: Buffer.from(shaped.body ?? EMPTY), trailers: shaped.trailers ?? [], failed: false }
      : { rootId: callout.rootId, headers: [], body: EMPTY, trailers: [], failed: true };
    const s = this.vm.streams.get(callout.streamId);
    const trailers = this.profile === "apisix" ? 0 : cr.trailers.length; // APISIX always passes 0
    const args = [callout.rootId, token, cr.headers.length, cr.body.length, trailers];
    const frame = { contextId: callout.rootId, requestId: this.profile === "apisix" ? callout.streamId : 0, callResponse: cr };
    this.guard(() => {
      const r = this.invoke("proxy_on_http_call_response", args, frame);
      // wasmtime calls proxy_on_http_call_response without a result: rc is always NGX_OK (0).
      if (this.profile === "apisix" && s) s.apisixOutcome = apisixAfterCallback(this, s, 0, r.frame);
      return r;
    }, s);
  }

  /** proxy_on_tick(root): what Envoy calls every tick period the root asked for. */
  callOnTick(rootId: number): void {
    this.guard(() => this.invoke("proxy_on_tick", [rootId], { contextId: rootId }));
  }

  /** The tick period (ms) a root context has set, 0 when none. */
  getTickPeriod(rootId: number): number {
    return this.vm.tickPeriods.get(rootId) ?? 0;
  }

  /** proxy_on_done(stream). */
  callOnDone(streamId: number): void {
    this.guard(() => this.invoke("proxy_on_done", [streamId], { contextId: streamId, requestId: streamId }, 1));
  }

  /** proxy_on_log(stream) — Envoy only calls it; APISIX never does. */
  callOnLog(streamId: number): void {
    this.guard(() => this.invoke("proxy_on_log", [streamId], { contextId: streamId, requestId: streamId }));
  }

  /** proxy_on_delete(stream); APISIX puts the id back on its root's free list. */
  callOnDelete(streamId: number): void {
    const s = this.vm.streams.get(streamId);
    this.guard(() => this.invoke("proxy_on_delete", [streamId], { contextId: streamId, requestId: streamId }));
    if (!s || s.deleted) return;
    s.deleted = true;
    if (this.profile === "apisix") this.vm.roots.get(s.rootId)?.freeStreamIds.push(streamId);
  }

  // ---- whole requests ----------------------------------------------------------------------------

  /** Runs one request the way the profile's host drives the filter; never rejects on a trap. */
  request(rootId: number, req: RequestSpec, opts: RequestOptions = {}): Promise<Reply> {
    return runRequest(this, rootId, req, opts);
  }

  // ---- inspection --------------------------------------------------------------------------------

  /** Every callout the filter dispatched successfully. */
  getCallouts(): Callout[] {
    return [...this.vm.callouts];
  }

  /** Callouts not answered yet. */
  getPendingCallouts(): Callout[] {
    return [...this.vm.pending.values()];
  }

  /** The local response the filter sent for `streamId` (or the host's failure reply). */
  getLocalResponse(streamId: number): LocalResponse | undefined {
    return this.vm.streams.get(streamId)?.localResponse;
  }

  /** The stream's request headers as the filter left them (APISIX: without the pseudo-headers). */
  getRequestHeaders(streamId: number): Pairs {
    return [...this.stream(streamId).headers];
  }

  /** proxy_log entries (and Envoy's stdout/stderr lines) at or above `minLevel`. */
  getLogs(minLevel = 0): LogEntry[] {
    return this.vm.logs.filter((l) => l.level >= minLevel);
  }

  /** Forgets recorded logs. */
  clearLogs(): void {
    this.vm.logs.length = 0;
  }

  /** Host-side diagnostics: refused calls, VM failure, crashes, what the host would log itself. */
  getHostEvents(): string[] {
    return [...this.vm.events];
  }

  /** Metrics defined by the filter, by name (always empty on APISIX: metrics are Unimplemented there). */
  getMetrics(): Map<string, Metric> {
    return this.vm.metrics.snapshot();
  }

  /** A stream property (Envoy filter state / APISIX nginx variable) as the filter set it. */
  getStreamProperty(streamId: number, name: string): string | undefined {
    return this.stream(streamId).properties.get(name)?.toString("utf8");
  }

  /** Sets a stream property as if the host had. */
  setStreamProperty(streamId: number, name: string, value: string): void {
    this.stream(streamId).properties.set(name, Buffer.from(value));
  }

  /** Current linear memory size in bytes. */
  memoryBytes(): number {
    return (this.exports.memory as WebAssembly.Memory).buffer.byteLength;
  }
}
