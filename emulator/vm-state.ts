// Everything the emulated host remembers about one VM: its root and stream contexts, the callback
// being run (the "frame"), callouts, logs and metrics. Shared by host.ts, host-calls.ts and flows.ts.
import { MetricRegistry } from "./metrics.ts";
import type { Callout, LocalResponse, LogEntry, Pairs, Profile } from "./types.ts";

/** Thrown internally when a callback traps; the VM is already marked failed. */
export class WasmTrap extends Error {}

export const EMPTY = Buffer.alloc(0);

export interface RootContext {
  id: number;
  config: Buffer;
  accepted: boolean;
  /** APISIX keeps the last request body in per-plugin-context state and never clears it. */
  lastBody: Buffer;
  /** APISIX reuses freed http context ids per plugin context (FIFO). */
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
}

/** What the APISIX Lua loop does after a callback. */
export type ApisixOutcome =
  | { kind: "call"; callout: Callout }
  | { kind: "local"; status: number }
  | { kind: "continue" }
  | { kind: "error"; rc: number }
  | { kind: "crash"; reason: string };

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
  /** Envoy: tick period (ms) per root context, from proxy_set_tick_period_milliseconds. */
  readonly tickPeriods = new Map<number, number>();
  readonly metrics = new MetricRegistry();
  /** APISIX: freed plugin (root) context ids, reused FIFO. */
  readonly freeRootIds: number[] = [];
  frame: Frame | null = null;
  failed = false;
  trap?: Error;
  private nextId = 1;
  /** Envoy tokens are 4, 8, 12…; APISIX's global callout id starts at 0. */
  private nextToken: number;

  constructor(readonly profile: Profile) {
    this.nextToken = profile === "envoy" ? 0 : -1;
  }

  /** A fresh context id from the VM-wide counter (Envoy never reuses; APISIX reuses via free lists). */
  allocId(): number {
    return this.nextId++;
  }

  /** Next http call token. */
  allocToken(): number {
    this.nextToken += this.profile === "envoy" ? 4 : 1;
    return this.nextToken >>> 0;
  }

  /** Whether proxy_set_effective_context may select `id` (Envoy has a VM context 0). */
  contextExists(id: number): boolean {
    return (this.profile === "envoy" && id === 0) || this.roots.has(id) || (this.streams.has(id) && !this.streams.get(id)!.deleted);
  }

  /** Envoy's contextOrEffectiveContext(). */
  effectiveId(): number {
    const f = this.frame;
    if (!f) return 0;
    if (f.effectiveId !== null && this.contextExists(f.effectiveId)) return f.effectiveId;
    return f.contextId;
  }

  /** Root context owning `id` (itself for a root). */
  rootOf(id: number): number | undefined {
    return this.roots.has(id) ? id : this.streams.get(id)?.rootId;
  }

  /** The stream host calls act on: Envoy's effective context, APISIX's current request. */
  targetStream(): StreamContext | undefined {
    const id = this.profile === "envoy" ? this.effectiveId() : this.frame?.requestId ?? 0;
    const s = this.streams.get(id);
    return s && !s.deleted ? s : undefined;
  }

  /** The root context of the running callback (APISIX reads per-plugin-context state from it). */
  frameRoot(): RootContext | undefined {
    const f = this.frame;
    const id = f ? this.rootOf(f.requestId || f.contextId) : undefined;
    return id === undefined ? undefined : this.roots.get(id);
  }

  /** The callout response readable now: only during its callback (Envoy: only from the answered root). */
  callResponse(): CallResponse | undefined {
    const cr = this.frame?.callResponse;
    if (!cr || cr.failed) return undefined;
    if (this.profile === "envoy" && this.rootOf(this.effectiveId()) !== cr.rootId) return undefined;
    return cr;
  }

  /** Records a host-side diagnostic. */
  event(message: string): void {
    this.events.push(message);
  }
}
