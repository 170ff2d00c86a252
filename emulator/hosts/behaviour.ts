// The one interface behind which Envoy (envoy/) and APISIX (apisix/) differ: how each links a module,
// what its env.proxy_* functions do, how it runs root and stream contexts, and how it drives a whole
// request. host.ts, abi.ts and loader.ts only ever talk to a HostBehaviour.
import type { Callbacks, FrameStart } from "../callbacks.ts";
import type { WasmResult } from "../enums.ts";
import type { Callout, HostOptions, Pairs, Profile, Reply, RequestOptions, RequestSpec, Result } from "../types.ts";
import type { Answer, CallResponse, Frame, RootContext, StreamContext, VmState } from "../vm-state.ts";
import type { AbiVersion, Linking } from "./linking.ts";

/** HostOptions with the defaults applied. */
export type ResolvedOptions = HostOptions & { pluginRootId: string; allowOnHeadersStopIteration: boolean; callouts: "capture" | "http" };

/** What a behaviour is built from. */
export interface BehaviourDeps {
  vm: VmState;
  options: ResolvedOptions;
  callbacks: Callbacks;
  abi: AbiVersion;
}

/** proxy_get_buffer_bytes and friends, once abi.ts decoded their arguments. */
export interface BufferFunctions {
  getBytes(type: number, start: number, length: number): Result<Buffer>;
  /** proxy_get_buffer_status: the buffer's size. */
  getSize(type: number): Result<number>;
  setBytes(type: number, start: number, length: number, data: Buffer): WasmResult;
  /** proxy_get_configuration. */
  getConfiguration(): Result<Buffer>;
}

/** The proxy_*_header_map_* functions. */
export interface MapFunctions {
  getPairs(type: number): Result<Pairs>;
  getValue(type: number, key: string): Result<string>;
  /** add, replace or remove (`value` undefined). */
  edit(type: number, key: string, value: string | undefined, mode: "add" | "replace" | "remove"): WasmResult;
  setPairs(type: number, pairs: Pairs): WasmResult;
  /** proxy_get_header_map_size: byte size of the map. */
  getSize(type: number): Result<number>;
}

/** The proxy_*_metric functions; a `{ value: null }` answer is Ok with nothing written to the module. */
export interface MetricFunctions {
  define(type: number, name: string): Result<number | null>;
  increment(id: number, offset: bigint): WasmResult;
  record(id: number, value: bigint): WasmResult;
  get(id: number): Result<bigint | null>;
}

/** What the other env.proxy_* functions do. */
export interface HostFunctions {
  readonly buffers: BufferFunctions;
  readonly maps: MapFunctions;
  readonly metrics: MetricFunctions;
  log(level: number, message: string): WasmResult;
  logLevel(): number;
  nowNs(): bigint;
  getProperty(path: string): Result<Buffer>;
  setProperty(path: string, value: Buffer): WasmResult;
  sendLocalResponse(status: number, details: string, body: Buffer, headers: Pairs, grpcStatus: number): WasmResult;
  httpCall(upstream: string, headers: Pairs, body: Buffer, trailers: Pairs, timeoutMs: number): Result<number>;
  setEffectiveContext(id: number): WasmResult;
  continueStream(type: number): WasmResult;
  closeStream(type: number): WasmResult;
  getStatus(): { code: number; message: string };
  setTickPeriod(period: number): WasmResult;
}

/** How the host creates, configures and ends contexts and delivers stream callbacks. */
export interface ContextLifecycle {
  /** A fresh root context id. */
  newRootId(): number;
  /** proxy_on_context_create (and what else the host sends first) then proxy_on_configure; false = refused. */
  startRoot(id: number, config: Buffer): boolean;
  /** proxy_on_configure on an existing root context; false = refused. */
  configureRoot(id: number, config: Buffer): boolean;
  /** Ends root context `id` (on_done, on_delete as the host does) and forgets it. */
  deleteRoot(id: number): void;
  /** A fresh stream context id under `root`. */
  newStreamId(root: RootContext): number;
  /** Stream `s` was deleted. */
  streamDeleted(s: StreamContext): void;
  /** Stores the request headers (lower-cased names) on `s`; proxy_on_request_headers' arguments. */
  requestHeaders(s: StreamContext, headers: Pairs, endOfStream: boolean): number[];
  /** Stores a body chunk on `s`; proxy_on_request_body's arguments. */
  requestBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[];
  /** Stores a proxied response's header map on `s`; proxy_on_response_headers' arguments. */
  responseHeaders(s: StreamContext, headers: Pairs, endOfStream: boolean): number[];
  /** Stores a response body piece on `s`; proxy_on_response_body's arguments. */
  responseBody(s: StreamContext, chunk: Buffer, endOfStream: boolean): number[];
  /** After a stream callback returned `result` (signed) with `frame`. */
  afterStreamCallback(s: StreamContext, name: string, result: number, frame: Frame): void;
  /** proxy_on_http_call_response's arguments and frame for `callout` answered with `response`. */
  callResponse(callout: Callout, response: CallResponse): { args: number[]; frame: FrameStart };
  /** After proxy_on_http_call_response returned, for the stream the callout was made for. */
  afterCallResponse(s: StreamContext | undefined, frame: Frame): void;
  /** The host's answer to a stream whose callback trapped (or ran on a failed VM). */
  failStream(s: StreamContext): void;
}

/** The low-level operations a whole request drives (streams.ts implements it). */
export interface Driver {
  readonly vm: VmState;
  readonly options: ResolvedOptions;
  readonly failed: boolean;
  newStream(rootId: number): number;
  stream(id: number): StreamContext;
  /** callOnRequestHeaders with headers already in the emulator's internal form (text.ts). */
  deliverRequestHeaders(streamId: number, headers: Pairs, endOfStream: boolean): number;
  callOnRequestBody(streamId: number, body: Uint8Array, endOfStream: boolean): number;
  /** proxy_on_response_headers with the response map as the host builds it; the raw result. */
  deliverResponseHeaders(streamId: number, headers: Pairs, endOfStream: boolean): number;
  /** proxy_on_response_body with one piece; the raw result. */
  deliverResponseBody(streamId: number, chunk: Buffer, endOfStream: boolean): number;
  /** callOnHttpCallResponse with an answer already in the internal form. */
  deliverCallResponse(rootId: number, token: number, answer: Answer | null): void;
  callOnTick(rootId: number): void;
  getTickPeriod(rootId: number): number;
  getPendingCallouts(): Callout[];
  callOnDone(streamId: number): void;
  callOnLog(streamId: number): void;
  callOnDelete(streamId: number): void;
}

/** One host: Envoy or APISIX. */
export interface HostBehaviour {
  readonly profile: Profile;
  readonly linking: Linking;
  readonly calls: HostFunctions;
  readonly contexts: ContextLifecycle;
  /** What the host does with the module's stdout (fd 1) and stderr (fd 2). */
  moduleOutput(fd: number, text: string): void;
  /** A callout answer as the module sees it (header names, order, what the host drops). */
  shapeAnswer(answer: Answer): Answer;
  /** Performs callout `c` for real ("http" mode), as the host would; null = failure (0 headers). */
  performCallout(c: Callout): Promise<Answer | null>;
  /** Host.request(): one whole request as the host drives it, on an existing root context. */
  request(driver: Driver, rootId: number, req: RequestSpec, opts: RequestOptions): Promise<Reply>;
}
