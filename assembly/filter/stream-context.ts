// One client request, read as the request flow: headers → body → sign → callout → reply.
import { getBuffer, getHeaders, httpCall, setEffectiveContext, setProperty } from "../abi/host";
import { BufferType, FilterStatus, LogLevel, MapType, WasmResult, resultName } from "../abi/types";
import { monotonicNanos } from "../abi/wasi";
import { Config } from "../config/config";
import { Header } from "../http/header";
import { calloutPath } from "../http/request-path";
import { forwardedRequestHeaders, forwardedResponseHeaders, Replaced } from "../http/forwarding";
import { countCallout, countRequest, Failure, recordCalloutDuration } from "./metrics";
import { fail, relay } from "./replies";
import { bodyAlwaysFollowsHeaders } from "./host-traits";
import { RootContext } from "./root-context";
import { signCallout } from "./signing";

enum Stage { Headers, Body, Callout, Done }

const EMPTY_BODY = new ArrayBuffer(0);

export class StreamContext {
  private stage: Stage = Stage.Headers;
  private method: string = "GET";
  /** METHOD and path without query, for log lines (a query may carry tokens). */
  private request: string = "";
  private clientHeaders: Array<Header> = [];
  private path: string = "";
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
    const requestPath = this.pseudo(":path", "/");
    this.method = this.pseudo(":method", "GET");
    const question = requestPath.indexOf("?");
    this.request = this.method + " " + (question < 0 ? requestPath : requestPath.substring(0, question));
    if (config == null) {
      return this.refuse(Failure.NotConfigured, 503, LogLevel.Error, "no valid configuration", "aws_lambda_not_configured");
    }
    const target = calloutPath(requestPath, config.functionUri.path, config.functionUri.query,
      config.hasPathPrefix, config.pathPrefix);
    if (!target.ok) return this.refuse(Failure.BadRequest, target.status, LogLevel.Info, target.reason, "aws_lambda_bad_path");
    this.path = target.path;
    const declaredLength = this.declaredContentLength();
    if (declaredLength > config.maxReqBodySize) return this.tooLarge(config);

    if (bodyAlwaysFollowsHeaders()) {
      // APISIX: end_of_stream is always true here; the body (maybe empty) comes once we ask for it.
      setProperty(["wasm_process_req_body"], "on");
      this.stage = Stage.Body;
      return FilterStatus.Continue;
    }
    if (endOfStream) return this.dispatch(EMPTY_BODY);
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
    return this.dispatch(body);
  }

  /** Signs and sends the callout; its response arrives on the root context. */
  private dispatch(body: ArrayBuffer): FilterStatus {
    const config = this.config!;
    const replaced = new Replaced();
    replaced.apiKey = config.apiKey.length > 0;
    replaced.signing = config.iam != null;
    const uri = config.functionUri;
    const headers: Array<Header> = [
      new Header(":method", this.method),
      new Header(":path", this.path),
      new Header(":authority", uri.authority),
      new Header(":scheme", uri.scheme),
    ];
    const forwarded = forwardedRequestHeaders(this.clientHeaders, replaced);
    for (let i = 0; i < forwarded.length; i++) headers.push(unchecked(forwarded[i]));
    if (config.apiKey.length > 0) headers.push(new Header("x-api-key", config.apiKey));
    signCallout(config, headers, body);

    this.stage = Stage.Callout;
    this.calloutStartNanos = monotonicNanos();
    const dispatch = httpCall(config.upstream, headers, body, <u32>config.timeoutMs);
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

  /** proxy_on_http_call_response (delivered on the root): relay the function's answer or a failure. */
  onCalloutResponse(headerCount: usize, bodySize: usize): void {
    if (this.stage != Stage.Callout) return;
    this.stage = Stage.Done;
    const config = this.config!;
    setEffectiveContext(this.id);
    const elapsedMs = (monotonicNanos() - this.calloutStartNanos) / 1_000_000;
    recordCalloutDuration(elapsedMs);
    if (headerCount == 0) {
      // Both hosts report a failed callout (reset, refused, TLS, APISIX timeout) as zero headers.
      if (<i64>elapsedMs >= config.timeoutMs) {
        fail(Failure.CalloutTimeout, 504, LogLevel.Error, this.request, "the function did not answer within "
          + config.timeoutMs.toString() + " ms", "aws_lambda_callout_timeout");
      } else {
        fail(Failure.CalloutFailed, 503, LogLevel.Error, this.request, "the callout to upstream \"" + config.upstream
          + "\" failed without a response", "aws_lambda_callout_failed");
      }
      return;
    }
    const response = getHeaders(MapType.HttpCallResponseHeaders);
    const status = statusOf(response);
    if (status == 0) {
      fail(Failure.BadResponse, 502, LogLevel.Error, this.request, "the function's response has no valid :status",
        "aws_lambda_bad_response");
      return;
    }
    const body = bodySize > 0 ? getBuffer(BufferType.HttpCallResponseBody, 0, <u32>bodySize) : EMPTY_BODY;
    relay(status, forwardedResponseHeaders(response), body);
  }

  /** The stream ended (client gone or reply sent): a callout still pending is forgotten, its answer dropped. */
  onDelete(): void {
    if (this.stage == Stage.Callout) this.root.pending.delete(this.calloutToken);
    this.stage = Stage.Done;
  }

  private pseudo(name: string, fallback: string): string {
    for (let i = 0; i < this.clientHeaders.length; i++) {
      const header = unchecked(this.clientHeaders[i]);
      if (header.name == name) return header.value.length > 0 ? header.value : fallback;
    }
    return fallback;
  }

  /** The client's Content-Length, -1 when absent or unreadable. */
  private declaredContentLength(): i64 {
    const text = this.pseudo("content-length", "");
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

  /** Ends the request with an error reply. StopIteration is safe on both hosts once a reply was sent. */
  private refuse(kind: Failure, status: u32, level: LogLevel, message: string, details: string): FilterStatus {
    this.stage = Stage.Done;
    fail(kind, status, level, this.request, message, details);
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
