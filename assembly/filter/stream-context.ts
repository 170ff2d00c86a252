// One client request, read as the request flow: headers → body → sign → callout → reply, with bounded
// retries for Invoke API calls that may safely be repeated.
import { getBuffer, getHeaders, httpCall, setEffectiveContext, setProperty } from "../abi/host";
import { BufferType, FilterStatus, LogLevel, MapType, WasmResult, resultName } from "../abi/types";
import { monotonicNanos } from "../abi/wasi";
import { Config } from "../config/config";
import { Header, headerValue } from "../http/header";
import { calloutPath } from "../http/request-path";
import { isMethodToken } from "../http/method";
import { Answer, failAnswer, retryableAnswer, Verdict } from "./answer";
import { InvokeCall } from "./invoke-call";
import { countCallout, countRequest, countRetry, Failure, recordCalloutDuration } from "./metrics";
import { fail, relay } from "./replies";
import { bodyAlwaysFollowsHeaders } from "./host-traits";
import { RootContext } from "./root-context";
import { signCallout } from "./signing";
import { urlCallAnswer, urlCallHeaders } from "./url-call";

enum Stage { Headers, Body, Callout, Backoff, Done }

const EMPTY_BODY = new ArrayBuffer(0);
/** First retry waits this long; each further one twice as long, up to MAX_BACKOFF_MS. */
const BASE_BACKOFF_MS: u64 = 50;
const MAX_BACKOFF_MS: u64 = 1000;

export class StreamContext {
  private stage: Stage = Stage.Headers;
  private method: string = "GET";
  /** METHOD and path without query, for log lines (a query may carry tokens). */
  private request: string = "";
  private clientHeaders: Array<Header> = [];
  /** URL mode: the joined callout path with query. Invoke mode: the path after path_prefix, with query. */
  private path: string = "";
  private invoke: InvokeCall | null = null;
  private body: ArrayBuffer = EMPTY_BODY;
  private attempt: i32 = 0;
  private calloutToken: u32 = 0;
  private calloutStartNanos: u64 = 0;

  /** The config this request runs under, fixed when it starts even if the root is reconfigured. */
  readonly config: Config | null;

  constructor(public id: u32, public root: RootContext) {
    this.config = root.config;
  }

  /** proxy_on_request_headers: validate early, then wait for the body or call the function. */
  onRequestHeaders(endOfStream: bool): FilterStatus {
    if (this.stage != Stage.Headers) return FilterStatus.Continue;
    countRequest();
    const config = this.config;
    this.clientHeaders = getHeaders(MapType.HttpRequestHeaders);
    const requestPath = this.header(":path", "/");
    this.method = this.header(":method", "GET");
    const question = requestPath.indexOf("?");
    this.request = this.method + " " + (question < 0 ? requestPath : requestPath.substring(0, question));
    if (config == null) {
      return this.refuse(Failure.NotConfigured, 503, LogLevel.Error, "no valid configuration", "aws_lambda_not_configured");
    }
    if (this.clientHeaders.length == 0) {
      return this.refuse(Failure.HostFault, 500, LogLevel.Error, "the host did not hand over the request headers", "aws_lambda_host_fault");
    }
    if (!isMethodToken(this.method)) {
      return this.refuse(Failure.BadRequest, 400, LogLevel.Info, "the method is not an HTTP token", "aws_lambda_bad_method");
    }
    const options = config.invoke;
    // Invoke mode joins onto "" so the same checks apply and the result is the path the function sees:
    // the request path after path_prefix, or all of it without one.
    const target = options == null
      ? calloutPath(requestPath, config.functionUri.path, config.functionUri.query, config.hasPathPrefix, config.pathPrefix)
      : calloutPath(requestPath, "", "", true, config.pathPrefix);
    if (!target.ok) return this.refuse(Failure.BadRequest, target.status, LogLevel.Info, target.reason, "aws_lambda_bad_path");
    this.path = target.path;
    if (options != null) {
      const call = new InvokeCall(options, this.pathOnly());
      if (call.target.refusal.length > 0) {
        return this.refuse(Failure.NoSuchFunction, 404, LogLevel.Info, call.target.refusal, "aws_lambda_no_such_function");
      }
      this.invoke = call;
    }
    if (this.declaredContentLength() > config.maxReqBodySize) return this.tooLarge(config);

    if (bodyAlwaysFollowsHeaders()) {
      // APISIX: end_of_stream is always true here; the body (maybe empty) comes once we ask for it.
      if (setProperty(["wasm_process_req_body"], "on") != WasmResult.Ok) {
        // Without it no body callback comes and the request would go past the filter: fail closed.
        return this.refuse(Failure.HostFault, 500, LogLevel.Error, "the host refused to deliver the request body",
          "aws_lambda_host_fault");
      }
      this.stage = Stage.Body;
      return FilterStatus.Continue;
    }
    if (endOfStream) return this.prepare(EMPTY_BODY);
    this.stage = Stage.Body;
    return FilterStatus.StopIteration;
  }

  /** proxy_on_request_body: buffer until end of stream (the host keeps the bytes), refusing oversize bodies. */
  onRequestBody(bodySize: usize, endOfStream: bool): FilterStatus {
    const config = this.config;
    if (this.stage != Stage.Body || config == null) return this.stage == Stage.Headers ? FilterStatus.Continue : FilterStatus.StopIteration;
    if (<i64>bodySize > config.maxReqBodySize) return this.tooLarge(config);
    if (!endOfStream) return FilterStatus.StopIteration;
    const body = bodySize > 0 ? getBuffer(BufferType.HttpRequestBody, 0, <u32>bodySize) : EMPTY_BODY;
    if (<usize>body.byteLength != bodySize) {
      // Never send a truncated or empty body in place of the client's.
      return this.refuse(Failure.HostFault, 500, LogLevel.Error, "the host handed over " + body.byteLength.toString()
        + " of " + bodySize.toString() + " body bytes", "aws_lambda_host_fault");
    }
    return this.prepare(body);
  }

  /** The whole body is here: build what the callout sends, then send it. */
  private prepare(body: ArrayBuffer): FilterStatus {
    const invoke = this.invoke;
    if (invoke != null) {
      const query = this.path.indexOf("?");
      const problem = invoke.preparePayload(this.clientHeaders, this.method, query < 0 ? "" : this.path.substring(query + 1), body);
      if (problem.length > 0) return this.refuse(Failure.EventTooLarge, 413, LogLevel.Info, problem, "aws_lambda_event_too_large");
      this.body = invoke.payload;
    } else {
      this.body = body;
    }
    return this.dispatch();
  }

  /** Signs and sends one callout attempt; its response arrives on the root context. */
  private dispatch(): FilterStatus {
    const config = this.config!;
    const invoke = this.invoke;
    const headers = invoke != null ? invoke.headers(config) : urlCallHeaders(config, this.method, this.path, this.clientHeaders);
    signCallout(config, headers, this.body);
    this.stage = Stage.Callout;
    this.calloutStartNanos = monotonicNanos();
    const dispatch = httpCall(config.upstream, headers, this.body, <u32>config.timeoutMs);
    if (dispatch.result != WasmResult.Ok) {
      return this.refuse(Failure.CalloutRefused, 500, LogLevel.Error,
        "the host refused the callout to upstream \"" + config.upstream + "\" (" + resultName(dispatch.result)
        + "): on Envoy it must name a cluster, on APISIX a host[:port]", "aws_lambda_callout_refused");
    }
    countCallout();
    this.calloutToken = dispatch.token;
    this.root.pending.set(dispatch.token, this.id);
    return FilterStatus.StopIteration;
  }

  /** proxy_on_http_call_response (delivered on the root): relay the function's answer, retry, or fail. */
  onCalloutResponse(headerCount: usize, bodySize: usize): void {
    if (this.stage != Stage.Callout) return;
    const config = this.config!;
    setEffectiveContext(this.id);
    const elapsedMs = (monotonicNanos() - this.calloutStartNanos) / 1_000_000;
    recordCalloutDuration(elapsedMs);
    this.answer(this.readResponse(config, headerCount, bodySize, elapsedMs));
  }

  private readResponse(config: Config, headerCount: usize, bodySize: usize, elapsedMs: u64): Answer {
    if (headerCount == 0) {
      // Both hosts report a failed callout (reset, refused, TLS, APISIX timeout) as zero headers.
      if (<i64>elapsedMs >= config.timeoutMs) {
        // The function may still be running: never repeated.
        return failAnswer(Failure.CalloutTimeout, 504, LogLevel.Error, "the function did not answer within "
          + config.timeoutMs.toString() + " ms", "aws_lambda_callout_timeout");
      }
      return retryableAnswer(Failure.CalloutFailed, 503, "the callout to upstream \"" + config.upstream
        + "\" failed without a response", "aws_lambda_callout_failed");
    }
    const response = getHeaders(MapType.HttpCallResponseHeaders);
    const status = statusOf(response);
    if (status == 0) {
      return failAnswer(Failure.BadResponse, 502, LogLevel.Error, "the function's response has no valid :status",
        "aws_lambda_bad_response");
    }
    const body = bodySize > 0 ? getBuffer(BufferType.HttpCallResponseBody, 0, <u32>bodySize) : EMPTY_BODY;
    if (<usize>body.byteLength != bodySize) {
      // Never relay a truncated answer as if it were whole.
      return failAnswer(Failure.HostFault, 502, LogLevel.Error, "the host handed over " + body.byteLength.toString()
        + " of " + bodySize.toString() + " response bytes", "aws_lambda_host_fault");
    }
    const invoke = this.invoke;
    return invoke != null ? invoke.readResponse(status, response, body) : urlCallAnswer(status, response, body);
  }

  private answer(answer: Answer): void {
    if (answer.verdict == Verdict.RetryOrFail && this.mayRetry()) {
      this.attempt++;
      countRetry();
      let delay = BASE_BACKOFF_MS << <u64>(this.attempt - 1);
      if (delay > MAX_BACKOFF_MS) delay = MAX_BACKOFF_MS;
      this.stage = Stage.Backoff;
      if (!this.root.scheduleRetry(this.id, monotonicNanos() / 1_000_000 + delay)) this.dispatch();
      return;
    }
    this.stage = Stage.Done;
    if (answer.verdict == Verdict.Relay) relay(answer.status, answer.headers, answer.body);
    else fail(answer.failure, answer.status, answer.level, this.request, answer.message, answer.details, answer.headers);
  }

  /**
   * Repeating is safe for throttling and service errors only when the invocation is idempotent: a GET,
   * HEAD, OPTIONS, PUT or DELETE (HTTP's idempotent methods). URL-mode calls are never repeated.
   */
  private mayRetry(): bool {
    const invoke = this.invoke;
    if (invoke == null || this.attempt >= invoke.options.maxRetries) return false;
    const m = this.method;
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE";
  }

  /** A scheduled retry is due (proxy_on_tick on the root). */
  retryNow(): void {
    if (this.stage != Stage.Backoff) return;
    setEffectiveContext(this.id);
    this.dispatch();
  }

  /** The stream ended (client gone or reply sent): a callout still pending is forgotten, its answer dropped. */
  onDelete(): void {
    if (this.stage == Stage.Callout) this.root.pending.delete(this.calloutToken);
    if (this.stage == Stage.Backoff) this.root.cancelRetry(this.id);
    this.stage = Stage.Done;
  }

  private pathOnly(): string {
    const question = this.path.indexOf("?");
    return question < 0 ? this.path : this.path.substring(0, question);
  }

  private header(name: string, fallback: string): string {
    const value = headerValue(this.clientHeaders, name);
    return value.length > 0 ? value : fallback;
  }

  /** The client's Content-Length, -1 when absent or unreadable. */
  private declaredContentLength(): i64 {
    const text = this.header("content-length", "");
    if (text.length == 0 || text.length > 18) return -1;
    let value: i64 = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      value = value * 10 + (c - 0x30);
    }
    return value;
  }

  private tooLarge(config: Config): FilterStatus {
    return this.refuse(Failure.BodyTooLarge, 413, LogLevel.Info, "request body is larger than max_req_body_size ("
      + config.maxReqBodySize.toString() + " bytes)", "aws_lambda_body_too_large");
  }

  /**
   * Ends the request with an error reply. StopIteration is safe on both hosts once a reply was sent; if the
   * host refused the reply, APISIX would read StopIteration as "perform the http call" and crash, but takes
   * a status code (>= 100) as the response to give.
   */
  private refuse(kind: Failure, status: u32, level: LogLevel, message: string, details: string): FilterStatus {
    this.stage = Stage.Done;
    const sent = fail(kind, status, level, this.request, message, details);
    if (sent != WasmResult.Ok && bodyAlwaysFollowsHeaders()) return <FilterStatus>status;
    return FilterStatus.StopIteration;
  }
}

/** The numeric `:status` of a response, 0 when missing or not a 3-digit code in 100–599. */
function statusOf(headers: Array<Header>): u32 {
  for (let i = 0; i < headers.length; i++) {
    const header = unchecked(headers[i]);
    if (header.name != ":status") continue;
    const text = header.value.trim();
    if (text.length != 3) return 0;
    let value: u32 = 0;
    for (let k = 0; k < 3; k++) {
      const c = text.charCodeAt(k);
      if (c < 0x30 || c > 0x39) return 0;
      value = value * 10 + <u32>(c - 0x30);
    }
    return value >= 100 && value <= 599 ? value : 0;
  }
  return 0;
}
