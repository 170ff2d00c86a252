// Everything the emulated host remembers about one VM: its root and stream contexts, the callback
// being run (the "frame"), callouts, logs and metrics. The same for every host; what a host does with
// it is in hosts/.
import { MetricRegistry } from "./metrics.ts";
import type { Callout, LocalResponse, LogEntry, Pairs } from "./types.ts";

const LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"];

/** Thrown internally when a callback traps; the VM is already marked failed. */
export class WasmTrap extends Error {}

export const EMPTY = Buffer.alloc(0);

export interface RootContext {
  id: number;
  config: Buffer;
  accepted: boolean;
  /** APISIX keeps the last non-empty request body in per-plugin-context state (readable in body callbacks). */
  lastBody: Buffer;
  /** Freed stream ids of this root, for a host that reuses them (APISIX, FIFO). */
  freeStreamIds: number[];
}

export interface RequestInfo {
  method: string;
  path: string;
  authority: string;
  scheme: string;
  /** APISIX: r->uri after the filter set `:path` (reading `:path` still gives the original). */
  rewrittenPath?: string;
}

export interface StreamContext {
  id: number;
  rootId: number;
  /** The live request header map the filter reads and edits. */
  headers: Pairs;
  /** Envoy drops request_headers_ once the request is forwarded (Continue or continue_stream). */
  headersAvailable: boolean;
  info: RequestInfo;
  /** What HttpRequestBody shows now (Envoy: current chunk, or everything buffered so far). */
  body: Buffer;
  /** Envoy: the last body callback returned StopIterationAndBuffer, so the next chunk is appended. */
  bufferingBody: boolean;
  properties: Map<string, Buffer>;
  localResponse?: LocalResponse;
  /** APISIX: headers accumulated from every proxy_send_local_response of this request. */
  replyHeaders: Pairs;
  /** Envoy: continue_stream(Request) was called while the request was paused. */
  resumed: boolean;
  /** Envoy: close_stream(Request) reset the stream. */
  reset: boolean;
  /** APISIX: ctx->callout, registered in the current callback and not yet taken by the Lua side. */
  registeredCallout?: Callout;
  /** Set once on_done/on_delete ran. */
  deleted: boolean;
  /** APISIX: how the last callback ended, as ngx_http_wasm_handle_rc_before_proxy + proxy-wasm.lua read it. */
  apisixOutcome?: ApisixOutcome;
  /** Envoy: body chunks the filter let go on (Continue), in order: what the router sends upstream. */
  sentBody: Buffer[];
  /** A proxied request's response while the filter's response callbacks run. */
  response?: ResponseState;
}

/** The response of a proxied request as the filter sees it. */
export interface ResponseState {
  /** The live response header map (Envoy: `:status` first; APISIX: nginx's headers_out). */
  headers: Pairs;
  /** Envoy: response_headers_ still held (on_response_headers did not Continue); APISIX: the header filter runs. */
  headersAvailable: boolean;
  /** What HttpResponseBody shows now (Envoy: this chunk, or everything buffered so far). */
  body: Buffer;
  /** Envoy: the last body callback returned StopIterationAndBuffer, so the next chunk is appended. */
  bufferingBody: boolean;
  /** APISIX: the status a `:status` write set (ngx.status). */
  status?: number;
}

/** What the APISIX Lua loop does after a callback. */
export type ApisixOutcome =
  | { kind: "call"; callout: Callout }
  | { kind: "local"; status: number }
  | { kind: "continue" }
  | { kind: "error"; rc: number }
  | { kind: "crash"; reason: string };

/** A callout answer in the emulator's internal form (text.ts): what hosts shape and deliver. */
export interface Answer {
  headers: Pairs;
  body?: Uint8Array | string;
  trailers?: Pairs;
}

/** Response of a callout, visible to the module only during proxy_on_http_call_response. */
export interface CallResponse {
  rootId: number;
  headers: Pairs;
  body: Buffer;
  trailers: Pairs;
  failed: boolean;
}

/** The callback being run. */
export interface Frame {
  /** The export being run, e.g. "proxy_on_request_body". */
  callback?: string;
  /** The context id the callback was called with. */
  contextId: number;
  /** APISIX: the request being processed (ngx_http_wasm_get_req), 0 when none. */
  requestId: number;
  /** Envoy: proxy_set_effective_context; reset for every callback. */
  effectiveId: number | null;
  /** Envoy: actions run after the VM call returns (local replies, continue, reset). */
  deferred: (() => void)[];
  /** Envoy: proxy_send_local_response stops the filter chain whatever the callback returns. */
  stopNext: boolean;
  /** Plugin configuration readable in this callback (Envoy: only on_configure). */
  pluginConfig?: Buffer;
  callResponse?: CallResponse;
  /** APISIX: wmcf->code, the status of a local response sent in this callback. */
  localStatus?: number;
}

export class VmState {
  readonly roots = new Map<number, RootContext>();
  readonly streams = new Map<number, StreamContext>();
  readonly logs: LogEntry[] = [];
  /** Host-side diagnostics (what the real host would write to its own log). */
  readonly events: string[] = [];
  readonly callouts: Callout[] = [];
  readonly pending = new Map<number, Callout>();
  /** Tick period (ms) per root context, from proxy_set_tick_period_milliseconds. */
  readonly tickPeriods = new Map<number, number>();
  readonly metrics = new MetricRegistry();
  /** Freed root context ids, for a host that reuses them (FIFO). */
  readonly freeRootIds: number[] = [];
  /** Callouts of no stream (made on a root context) that a request run or a tick is answering: token → done. */
  readonly rootCalloutsAnswering = new Map<number, Promise<void>>();
  frame: Frame | null = null;
  failed = false;
  trap?: Error;
  private nextId = 1;

  /** A fresh context id from the VM-wide counter. */
  allocId(): number {
    return this.nextId++;
  }

  /** Root context owning `id` (itself for a root). */
  rootOf(id: number): number | undefined {
    return this.roots.has(id) ? id : this.streams.get(id)?.rootId;
  }

  /** The root context of the running callback. */
  frameRoot(): RootContext | undefined {
    const f = this.frame;
    const id = f ? this.rootOf(f.requestId || f.contextId) : undefined;
    return id === undefined ? undefined : this.roots.get(id);
  }

  /** Records a proxy_log line (or module output the host logs), with the level the host's log shows. */
  recordLog(level: number, message: string, contextId: number, hostLevel: string, source: LogEntry["source"] = "proxy_log"): void {
    this.logs.push({ level, levelName: LEVEL_NAMES[level] ?? String(level), message, contextId, source, hostLevel });
  }

  /** Records a successful proxy_http_call under `token`, pending until answered. */
  recordCallout(call: Omit<Callout, "token">, token: number): Callout {
    const callout: Callout = { ...call, token };
    this.callouts.push(callout);
    this.pending.set(token, callout);
    return callout;
  }

  /** Records a host-side diagnostic. */
  event(message: string): void {
    this.events.push(message);
  }

  /** Drops what is recorded about finished work: deleted streams, dispatched callouts, logs, host events. */
  forget(): void {
    for (const [id, stream] of this.streams) if (stream.deleted) this.streams.delete(id);
    this.callouts.length = 0;
    this.events.length = 0;
    this.logs.length = 0;
  }
}
