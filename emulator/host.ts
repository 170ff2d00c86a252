// The emulated host: loads a proxy-wasm module as Envoy or APISIX does, keeps its root contexts, and
// drives callbacks (proxytest style: call… drives the filter, get… inspects what it did). Everything in
// which the two hosts differ is behind HostBehaviour (hosts/); stream callbacks are in streams.ts.
import { Callbacks, type FrameStart } from "./callbacks.ts";
import { Faults, type FaultResult } from "./faults.ts";
import { callerPairs } from "./header-map.ts";
import type { HostBehaviour, ResolvedOptions } from "./hosts/behaviour.ts";
import { hostEntry, type HostEntry } from "./hosts/index.ts";
import { checkModule, instantiate, type CheckedModule } from "./loader.ts";
import { GuestMemory } from "./memory.ts";
import { answerRootCallouts, callerAnswer } from "./request-run.ts";
import { Streams } from "./streams.ts";
import { bodyBytes, forCaller } from "./text.ts";
import type {
  Callout, CalloutAnswer, ExportContext, HeaderInput, HostOptions, LocalResponse, LogEntry, Metric, Pairs, Profile, Reply, RequestOptions, RequestSpec,
} from "./types.ts";
import { EMPTY, VmState } from "./vm-state.ts";
import { Wasi } from "./wasi.ts";

export class Host {
  readonly profile: Profile;
  private readonly vm = new VmState();
  private readonly callbacks = new Callbacks(this.vm);
  private readonly behaviour: HostBehaviour;
  private readonly faults: Faults;
  private readonly streams: Streams;
  private exports: Record<string, any> = {};
  private memory!: GuestMemory;

  private constructor(private readonly options: ResolvedOptions, checked: CheckedModule, entry: HostEntry) {
    this.profile = options.profile;
    this.behaviour = entry.create({ vm: this.vm, options, callbacks: this.callbacks, abi: checked.abi });
    this.faults = new Faults(this.behaviour.linking.envFunctions(checked.abi));
    this.streams = new Streams(this.vm, options, this.callbacks, this.behaviour);
  }

  /** Compiles and instantiates the module as the profile's host does; rejects if that host would refuse it. */
  static async load(options: HostOptions): Promise<Host> {
    return Host.loadSync(options);
  }

  /** Host.load, synchronously (for callers that cannot await, such as the CLI). */
  static loadSync(options: HostOptions): Host {
    const entry = hostEntry(options.profile);
    const checked = checkModule(options, entry.linking);
    const host = new Host({
      ...options,
      pluginRootId: options.pluginRootId ?? entry.pluginRootId,
      allowOnHeadersStopIteration: options.allowOnHeadersStopIteration ?? false, // Envoy's default
      callouts: options.callouts ?? "capture",
    }, checked, entry);
    host.start(checked);
    return host;
  }

  private start(checked: CheckedModule): void {
    const { linking } = this.behaviour;
    this.exports = instantiate(checked, {
      host: this.behaviour, vm: this.vm, faults: this.faults,
      wasi: new Wasi({ env: this.options.env, now: this.options.now, monotonicNs: this.options.monotonicNs }),
      memory: () => this.memory,
    });
    this.callbacks.bind(this.exports);
    this.memory = new GuestMemory(this.exports.memory, (size) => this.allocate(size), linking.allocFailure, linking.writePtrWhenEmpty, this.faults);
    for (const fn of linking.startFunctions(checked.exportNames)) {
      try {
        this.callbacks.invoke(fn, fn === "main" ? [0, 0] : [], { contextId: 0 });
      } catch (err) {
        throw new Error(`Host.load(${this.profile}): ${fn} trapped: ${this.vm.trap?.message ?? (err as Error).message}`);
      }
    }
  }

  /** Calls the module's allocator in the host's order; 0 on failure. */
  private allocate(size: number): number {
    const { linking } = this.behaviour;
    for (const name of linking.allocators) {
      const fn = this.exports[name];
      if (typeof fn !== "function") continue;
      const ptr = Number(fn(size)) >>> 0;
      if (ptr !== 0 || !linking.nextAllocatorOnFailure) return ptr;
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

  // ---- configuration and whole requests ----------------------------------------------------------

  /**
   * Creates a root context and delivers `config` (objects JSON-encoded, as APISIX ≥ 3.5 does — APISIX ≤ 3.4
   * takes only a conf string, which is delivered as it is; bytes as
   * given) as the host does: Envoy proxy_on_context_create + proxy_on_vm_start + proxy_on_configure,
   * APISIX without proxy_on_vm_start. With `rootId`, delivers it again to that root context.
   */
  configure(config: string | object | Uint8Array, opts: { rootId?: number } = {}): { rootId: number; accepted: boolean } {
    const bytes = config instanceof Uint8Array ? Buffer.from(config) : Buffer.from(typeof config === "string" ? config : JSON.stringify(config));
    const { contexts } = this.behaviour;
    if (opts.rootId !== undefined) {
      const root = this.vm.roots.get(opts.rootId);
      if (!root) throw new Error(`configure: no root context ${opts.rootId}`);
      root.config = bytes;
      root.accepted = contexts.configureRoot(root.id, bytes);
      return { rootId: root.id, accepted: root.accepted };
    }
    const root = { id: contexts.newRootId(), config: bytes, accepted: false, lastBody: EMPTY, freeStreamIds: [] };
    this.vm.roots.set(root.id, root);
    root.accepted = contexts.startRoot(root.id, bytes);
    return { rootId: root.id, accepted: root.accepted };
  }

  /** Deletes a root context: proxy_on_done then proxy_on_delete (APISIX frees its id for reuse). */
  deleteRoot(rootId: number): void {
    if (this.vm.roots.has(rootId)) this.behaviour.contexts.deleteRoot(rootId);
  }

  /** Runs one request (text or raw bytes) the way the profile's host drives the filter; never rejects on a trap. */
  async request(rootId: number, req: RequestSpec, opts: RequestOptions = {}): Promise<Reply> {
    if (!this.vm.roots.get(rootId)) throw new Error(`request: no root context ${rootId}`);
    return this.behaviour.request(this.streams, rootId, req, opts);
  }

  // ---- callbacks (low level) ---------------------------------------------------------------------

  /** Creates a stream context: proxy_on_context_create(stream, root). APISIX reuses freed ids. */
  newStream(rootId: number): number {
    return this.streams.newStream(rootId);
  }

  /**
   * Delivers request headers (text or raw bytes): Envoy proxy_on_request_headers(ctx, n, end_of_stream);
   * APISIX always (ctx, 0, 1). Pseudo-headers set method/path/authority/scheme; on APISIX they are kept
   * apart from the header list. Returns the filter's raw FilterStatus.
   */
  callOnRequestHeaders(streamId: number, headers: HeaderInput, endOfStream: boolean): number {
    return this.streams.deliverRequestHeaders(streamId, callerPairs(headers), endOfStream);
  }

  /**
   * Delivers a body chunk. Envoy: appended to the buffered body while the filter asks to buffer, so
   * buffer 0 = everything buffered so far. APISIX: the whole body.
   */
  callOnRequestBody(streamId: number, body: Uint8Array, endOfStream: boolean): number {
    return this.streams.callOnRequestBody(streamId, body, endOfStream);
  }

  /**
   * Delivers a proxied request's response headers (`:status` first, as the host builds the map):
   * proxy_on_response_headers. Returns the filter's raw FilterStatus.
   */
  callOnResponseHeaders(streamId: number, headers: HeaderInput, endOfStream: boolean): number {
    return this.streams.deliverResponseHeaders(streamId, callerPairs(headers), endOfStream);
  }

  /** Delivers one piece of a proxied response: proxy_on_response_body, the piece kept as the host keeps it. */
  callOnResponseBody(streamId: number, body: Uint8Array, endOfStream: boolean): number {
    return this.streams.deliverResponseBody(streamId, Buffer.from(body), endOfStream);
  }

  /**
   * Answers callout `token` (null = failure, 0 headers): proxy_on_http_call_response on the root
   * context, with headers (map 6) and body (buffer 4) readable only during that call.
   */
  callOnHttpCallResponse(rootId: number, token: number, answer: CalloutAnswer | null): void {
    this.streams.deliverCallResponse(rootId, token, callerAnswer(answer));
  }

  /** proxy_on_tick(root): what Envoy calls every tick period the root asked for. */
  callOnTick(rootId: number): void {
    this.streams.callOnTick(rootId);
  }

  /**
   * One tick as the host gives it once the root's tick period has passed: proxy_on_tick, then the
   * callouts it made on root contexts (and those they lead to) are answered like request()'s (`answer`,
   * or real HTTP in "http" mode). Nothing happens for a root that set no tick period (APISIX never does).
   * Resolves to whether the tick ran and how many root callouts were answered.
   */
  async tick(rootId: number, opts: Pick<RequestOptions, "answer"> = {}): Promise<{ ticked: boolean; answered: number }> {
    if (this.getTickPeriod(rootId) === 0) return { ticked: false, answered: 0 };
    this.streams.callOnTick(rootId);
    return { ticked: true, answered: await this.answerRootCallouts(opts) };
  }

  /**
   * Answers pending callouts that belong to no stream (made on a root context, e.g. a background fetch)
   * and those they lead to, until none is left or being answered by a request(); resolves to how many.
   */
  answerRootCallouts(opts: Pick<RequestOptions, "answer"> = {}): Promise<number> {
    return answerRootCallouts(this.streams, { opts, perform: (c) => this.behaviour.performCallout(c) });
  }

  /** proxy_on_done(stream). */
  callOnDone(streamId: number): void {
    this.streams.callOnDone(streamId);
  }

  /** proxy_on_log(stream) — Envoy calls it; APISIX never does. */
  callOnLog(streamId: number): void {
    this.streams.callOnLog(streamId);
  }

  /** proxy_on_delete(stream); APISIX puts the id back on its root's free list. */
  callOnDelete(streamId: number): void {
    this.streams.callOnDelete(streamId);
  }

  /**
   * Calls export `name` with raw arguments, as a host with a bug might (the frame's context, the
   * request being processed, a readable plugin configuration or callout response). Returns its raw
   * i32 result; throws if it traps (the VM is then failed).
   */
  callExport(name: string, args: number[], context: ExportContext = {}): number {
    const contextId = context.contextId ?? 0;
    const frame: FrameStart = { contextId, requestId: context.requestId ?? 0 };
    if (context.pluginConfig !== undefined) frame.pluginConfig = Buffer.from(bodyBytes(context.pluginConfig));
    if (context.callResponse) {
      const answer = callerAnswer(context.callResponse)!;
      frame.callResponse = { rootId: contextId, headers: answer.headers, body: Buffer.from(bodyBytes(answer.body ?? EMPTY)), trailers: answer.trailers ?? [], failed: false };
    }
    return this.callbacks.invoke(name, args, frame).result;
  }

  // ---- faults ------------------------------------------------------------------------------------

  /**
   * Makes host function `name` (e.g. "proxy_get_header_map_pairs") answer `result` without doing
   * anything, whenever `when` holds for its raw arguments. Returns a function that removes the fault.
   */
  failHostCall(name: string, result: FaultResult, when: (args: readonly number[]) => boolean = () => true): () => void {
    return this.faults.add("call", name, result, (args) => when(args));
  }

  /**
   * Makes host function `name` do its work but fail to hand its data to the module, as when the
   * module's allocator refuses (answering `result`), whenever `when` holds for its arguments and data.
   */
  failCopyIntoModule(name: string, result: FaultResult, when: (args: readonly number[], data: Buffer) => boolean = () => true): () => void {
    return this.faults.add("copy", name, result, when);
  }

  // ---- inspection --------------------------------------------------------------------------------

  /** Every callout the filter dispatched successfully (since the last forget()). */
  getCallouts(): Callout[] {
    return [...this.vm.callouts];
  }

  /** Callouts not answered yet. */
  getPendingCallouts(): Callout[] {
    return this.streams.getPendingCallouts();
  }

  /** Stream contexts not deleted yet. */
  getOpenStreams(): number[] {
    return [...this.vm.streams.values()].filter((s) => !s.deleted).map((s) => s.id);
  }

  /** The local response the filter sent for `streamId` (or the host's failure reply). */
  getLocalResponse(streamId: number): LocalResponse | undefined {
    return this.vm.streams.get(streamId)?.localResponse;
  }

  /** The stream's request headers as the filter left them (APISIX: without the pseudo-headers). */
  getRequestHeaders(streamId: number): Pairs {
    return this.streams.stream(streamId).headers.map(([k, v]) => [forCaller(k), forCaller(v)]);
  }

  /** proxy_log entries (and Envoy's stdout/stderr lines) at or above `minLevel`. */
  getLogs(minLevel = 0): LogEntry[] {
    return this.vm.logs.filter((l) => l.level >= minLevel);
  }

  /** Forgets recorded logs. */
  clearLogs(): void {
    this.vm.logs.length = 0;
  }

  /**
   * Forgets what is recorded about finished work — deleted streams, dispatched callouts, logs, host
   * events — so long runs stay small. Pending callouts and open streams are kept.
   */
  forget(): void {
    this.vm.forget();
  }

  /** Host-side diagnostics: refused calls, VM failure, crashes, what the host would log itself. */
  getHostEvents(): string[] {
    return [...this.vm.events];
  }

  /** Metrics defined by the filter, by name (always empty on APISIX, whose metric calls do nothing). */
  getMetrics(): Map<string, Metric> {
    return this.vm.metrics.snapshot();
  }

  /** The tick period (ms) a root context has set, 0 when none. */
  getTickPeriod(rootId: number): number {
    return this.streams.getTickPeriod(rootId);
  }

  /** A stream property (Envoy filter state / APISIX nginx variable) as the filter set it. */
  getStreamProperty(streamId: number, name: string): string | undefined {
    return this.streams.stream(streamId).properties.get(name)?.toString("utf8");
  }

  /** Sets a stream property as if the host had (text, or raw bytes). */
  setStreamProperty(streamId: number, name: string, value: string | Uint8Array): void {
    this.streams.stream(streamId).properties.set(name, Buffer.from(bodyBytes(value)));
  }

  /** Current linear memory size in bytes. */
  memoryBytes(): number {
    return (this.exports.memory as WebAssembly.Memory).buffer.byteLength;
  }
}
