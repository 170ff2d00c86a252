// Public types of the proxy-wasm host emulator: the shapes tests, the local gateway, the benchmarks and
// the CLI exchange with it (the ABI enums are in enums.ts).
import type { LogLevel, WasmResult } from "./enums.ts";
import type { TextOrBytes } from "./text.ts";

export type { TextOrBytes } from "./text.ts";

/** Header pairs as callers give them: text or raw bytes, as pairs or a record. */
export type HeaderInput = [TextOrBytes, TextOrBytes][] | Record<string, TextOrBytes>;

/** Which host to imitate; see ../docs/hosts.md and hosts/ for the differences. */
export type Profile = "envoy" | "apisix";

/** A result code, or a value on success (what the host-call handlers return). */
export type Result<T> = WasmResult | { value: T };

/** Header pairs as the filter sent or sees them. */
export type Pairs = [string, string][];

export interface HostOptions {
  profile: Profile;
  /** Module path or bytes; default build/aws-lambda.wasm relative to the repository root. */
  wasm?: string | Uint8Array;
  /** WASI environment (environ_get). */
  env?: Record<string, string>;
  /** Realtime clock in ms since the epoch, for WASI clock_time_get and proxy_get_current_time_nanoseconds. */
  now?: () => number;
  /** Monotonic clock in ns for WASI clock_time_get (default process.hrtime): a test can move it by hand. */
  monotonicNs?: () => bigint;
  /** Value of property "plugin_root_id": Envoy's root_id (default "aws_lambda"), APISIX's plugin name (default "aws-lambda-wasm"). */
  pluginRootId?: string;
  /**
   * Envoy only: PluginConfig.allow_on_headers_stop_iteration (Envoy 1.35+), default false as in Envoy: then
   * StopIteration from the headers callback holds the body back too, so a filter that waits for the body
   * needs it set, as users must set it in Envoy.
   */
  allowOnHeadersStopIteration?: boolean;
  /** "capture": callouts are only recorded (answer them yourself); "http": request() performs them for real. */
  callouts?: "capture" | "http";
  /**
   * Envoy: cluster name → base URL ("http://127.0.0.1:8080"). When given, an unknown cluster is BadArgument.
   * Read at each proxy_http_call: entries added or changed later apply to later callouts (as CDS would).
   */
  clusters?: Record<string, string>;
  /**
   * APISIX + http: maps the callout upstream's `host[:port]` to a base URL; null = the name does not
   * resolve, so the call fails as the host reports any failure (0 headers). wasm-nginx-module never
   * resolves at dispatch.
   */
  resolve?: (authority: string, scheme: string) => string | null;
  /**
   * http mode: the CA certificates (PEM) HTTPS callouts are verified against — APISIX's
   * `lua_ssl_trusted_certificate`, an Envoy cluster's trusted_ca. Default: Node's bundled roots.
   */
  trustedCa?: string | Buffer;
  /**
   * APISIX + http: how far nginx's cached clock lags when a callout's timers are armed (ms, default 0):
   * each timer then fires that much before `timeout` by the clock the filter reads.
   */
  clockLagMs?: number;
  /** APISIX: seeds the order in which Lua tables hand over callout headers (arbitrary there; default 1). */
  seed?: number;
  /** Envoy only: VmConfiguration buffer handed to proxy_on_vm_start (default ""). */
  vmConfig?: string;
  /** Envoy only: what proxy_get_log_level reports (default Info, Envoy's default). */
  logLevel?: LogLevel;
  /** Envoy only: PluginConfig.fail_open — after a VM failure requests bypass the filter instead of 503. */
  failOpen?: boolean;
  /**
   * Envoy: the route table a request the filter lets go on is routed by — virtual host domain (an
   * `:authority`, or "*") → cluster name (a key of `clusters`). Looked up with the `:authority` the filter
   * left (ABI 0.2.1: every request-header write clears the route cache). Without it a forwarded request
   * goes nowhere (Reply.continued, Reply.upstreamRequest only).
   */
  routes?: Record<string, string>;
  /** Envoy: the route's `timeout` in ms (default 15000, Envoy's; 0 disables it): it spans the whole response. */
  routeTimeoutMs?: number;
  /** Envoy: the connection buffer limit a filter that buffers the response body may fill (default 1 MiB). */
  bufferLimitBytes?: number;
  /** APISIX: the route's upstream a request the filter lets go on is proxied to (without it: Reply.continued only). */
  upstream?: ApisixUpstream;
}

/** An APISIX route's upstream (Admin API `upstream` object), as nginx proxies to it. */
export interface ApisixUpstream {
  /** `scheme` (default "http"): APISIX writes $upstream_scheme from it after the plugins, whatever they set. */
  scheme?: "http" | "https";
  /** The one node, `host:port`; reached through HostOptions.resolve when given. */
  node: string;
  /** `pass_host` (default "pass": Host is $upstream_host, the client's Host unless a plugin set it). */
  passHost?: "pass" | "node" | "rewrite";
  /** `upstream_host`, with pass_host "rewrite". */
  upstreamHost?: string;
  /** `timeout` (connect/send/read, each; default 60000 ms, nginx's proxy_*_timeout). */
  timeoutMs?: number;
  /** `tls.verify` (default false, nginx's proxy_ssl_verify off): verify the node against HostOptions.trustedCa. */
  tlsVerify?: boolean;
}

/** One successful proxy_http_call. */
export interface Callout {
  rootId: number;
  token: number;
  /** Envoy: cluster name. APISIX: `host[:port]`. */
  upstream: string;
  headers: Pairs;
  body: Buffer;
  trailers: Pairs;
  timeoutMs: number;
  /** Stream the call was made for: the effective context on Envoy, the current request on APISIX (0 if none). */
  streamId: number;
  /**
   * APISIX: the method, scheme and path the host requests — a pseudo-header the call left out keeps the
   * previous callout's value in that worker (proxy-wasm.lua's shared buffers), else GET, http, "/".
   */
  effective?: { method: string; scheme: string; path: string };
}

/**
 * How a callout is answered; headers must include ":status" (names and values as text, or raw bytes).
 * `null` in its place means failure (0 headers).
 */
export interface CalloutAnswer {
  headers: [TextOrBytes, TextOrBytes][];
  body?: Uint8Array | string;
  trailers?: [TextOrBytes, TextOrBytes][];
}

/** What the filter passed to proxy_send_local_response. */
export interface LocalResponse {
  status: number;
  details: string;
  body: Buffer;
  /** The pairs exactly as the filter sent them (decoded wire format). */
  headers: Pairs;
  grpcStatus: number;
}

/** Outcome of Host.request(). */
export interface Reply {
  /** HTTP status sent to the client; 0 when no response was produced (stalled, continued, reset). */
  status: number;
  /** Response headers as the host would send them (without ":status"). */
  headers: Pairs;
  body: Buffer;
  streamId: number;
  /** The last callout made for this request. */
  callout?: Callout;
  /** The filter let the request go to the route's own upstream. */
  continued: boolean;
  /** The request as it would be forwarded upstream (only when continued). */
  upstreamRequest?: { headers: Pairs; body: Buffer };
  /** Time spent answering callouts (ms). */
  calloutMs?: number;
  /** A request the host proxied to the route's upstream: what went there, and how the response reached the client. */
  proxied?: ProxiedExchange;
  /** Envoy response code details, e.g. "wasm_fail_stream" or the filter's details. */
  details?: string;
  /** Why no response came: the request would hang on the real host. */
  stalled?: string;
}

/** The request a host sent to the route's upstream, as it went on the wire. */
export interface UpstreamRequest {
  /** The base URL it was sent to (the cluster's, or the APISIX node's). */
  url: string;
  method: string;
  /** The request target: path and query as sent. */
  target: string;
  /** Header lines in wire order, names lower-cased (Host first). */
  headers: Pairs;
  body: Buffer;
  /** TLS server name sent (SNI), when HTTPS. */
  servername?: string;
}

/** One piece of the response body as the client received it. */
export interface ReceivedChunk {
  /** performance.now() when the host sent it on. */
  at: number;
  bytes: Buffer;
}

/** A proxied request: the upstream side, the filter's response callbacks, the client side. */
export interface ProxiedExchange {
  /** What went upstream (absent when the host answered itself, e.g. no route). */
  request?: UpstreamRequest;
  /** The upstream's status, 0 when it gave none (connect failure, timeout). */
  upstreamStatus: number;
  /** The upstream's body pieces as they arrived (performance.now()). */
  upstreamChunks: ReceivedChunk[];
  /** When the client got the status and headers, and each body piece. */
  headersAt?: number;
  chunks: ReceivedChunk[];
  /** The response ended normally for the client. */
  complete: boolean;
  /** Why the client's response was cut (stream reset, timeout after headers), or left hanging. */
  reset?: string;
}

/** Receives the client's side of a proxied response as it happens (the local gateway writes it to a socket). */
export interface ClientSink {
  head(status: number, headers: Pairs): void;
  chunk(bytes: Buffer): void;
  end(): void;
  /** The response was cut after its head (reset). */
  abort(reason: string): void;
}

export interface LogEntry {
  level: number;
  levelName: string;
  message: string;
  contextId: number;
  /** proxy_log, or WASI stdout/stderr (Envoy logs those at info/error). */
  source: "proxy_log" | "stdout" | "stderr";
  /** The level as the host's own log shows it: Envoy `critical`/`warning`/…, nginx `emerg`/`warn`/…. */
  hostLevel: string;
}

export interface Metric {
  type: "counter" | "gauge" | "histogram";
  value: number;
  samples?: number[];
}

/** The request given to Host.request(); every text field may be raw bytes (invalid UTF-8, NUL, CR/LF). */
export interface RequestSpec {
  /**
   * The client's protocol (default HTTP/1.1, which always carries Host: `authority`, or a `host` header).
   * "HTTP/1.0" sends no Host unless `headers` has one: APISIX hands such a request to the filter without
   * Host; Envoy answers 426 before any filter (accept_http_10 is off by default).
   */
  protocol?: "HTTP/1.1" | "HTTP/1.0";
  method?: TextOrBytes;
  /** Raw path with query, e.g. "/fn?x=1". */
  path: TextOrBytes;
  authority?: TextOrBytes;
  scheme?: TextOrBytes;
  headers?: HeaderInput;
  body?: Uint8Array | string;
  /** Body split as the client sent it (Envoy delivers one proxy_on_request_body per chunk). */
  chunks?: (Uint8Array | string)[];
}

export interface RequestOptions {
  /** Answers each callout (capture); without it "http" mode performs the call, "capture" leaves it pending. */
  answer?: (c: Callout) => CalloutAnswer | null | Promise<CalloutAnswer | null>;
  /** Skip proxy_on_done/log/delete so the stream can still be inspected or driven. */
  keepStream?: boolean;
  /** A proxied response's client side, as it happens (Reply.proxied records it too). */
  client?: ClientSink;
}

/** The frame Host.callExport() runs an export in. */
export interface ExportContext {
  /** The context the callback is called for (default 0). */
  contextId?: number;
  /** APISIX: the request being processed (default 0, none). */
  requestId?: number;
  /** A plugin configuration readable during the call (buffer 7). */
  pluginConfig?: Uint8Array | string;
  /** A callout response readable during the call (map 6, buffer 4), as given. */
  callResponse?: CalloutAnswer;
}
