// One client request, read as the request flow: headers → body → sign → callout → answer, with bounded
// retries for calls that may safely be repeated. What is sent and how the answer reads is the target's
// business (target.ts); how each host delivers the body is the host's (host-traits.ts).
import { continueStream, getBuffer, getHeader, getHeaders, httpCall, setBuffer, setEffectiveContext, setProperty } from "../abi/host";
import { BufferType, FilterStatus, LogLevel, MapType, WasmResult, resultName } from "../abi/types";
import { monotonicNanos, realtimeMillis } from "../abi/wasi";
import { CredentialProvider, CredentialWaiter } from "../credentials/provider";
import { Header } from "../http/header";
import { Credentials } from "../sigv4/credentials";
import { signRequest } from "../sigv4/signer";
import { Config } from "../config/config";
import { isMethodToken } from "../http/method";
import { statusOf } from "../http/status";
import { Answer, failAnswer, reauthenticateAnswer, retryableAnswer, Verdict } from "./answer";
import { ClientRequest } from "./client-request";
import { Failure, failureKind } from "./failures";
import { bodyAlwaysFollowsHeaders, headerMapNeedsHost } from "./host-traits";
import { countCallout, countReply, countRequest, countRetry, recordCalloutDuration } from "./metrics";
import { hostFailure, ProxyResponse } from "./proxy-response";
import { rewriteRequest } from "./proxy-rewrite";
import { RequestBody } from "./request-body";
import { fail, relay } from "./replies";
import { RootContext } from "./root-context";
import { AuthRefusal, explainRefusal, signatureRefusal, SignatureTrace } from "./auth-refusals";
import { logLine } from "./replies";
import { Target } from "./target";
import { targetFor } from "./targets";

/** Proxied: the request went on to the route's upstream; the response callbacks follow. */
enum Stage { Headers, Body, Credentials, Callout, Backoff, Proxied, Done }

const EMPTY_BODY = new ArrayBuffer(0);
const NO_HEADERS = new Array<Header>(0);
/** proxy_continue_stream's stream type for the request. */
const REQUEST_STREAM: u32 = 0;
/** First retry waits this long; each further one twice as long, up to MAX_BACKOFF_MS. */
const BASE_BACKOFF_MS: u64 = 50;
const MAX_BACKOFF_MS: u64 = 1000;
/** Least slack allowed between the host's timer and the filter's clock when deciding a timeout. */
const TIMEOUT_TOLERANCE_MIN_MS: i64 = 20;

export class StreamContext implements CredentialWaiter {
  private stage: Stage = Stage.Headers;
  private request: ClientRequest = new ClientRequest();
  private target: Target | null = null;
  private attempts: i32 = 0;
  /** What signs this request's callouts (null without IAM), and the last signature made with them. */
  private credentials: Credentials | null = null;
  /** What AWS may quote back about the last signature: the canonical request's SHA-256 and the signed headers. */
  private signed: SignatureTrace | null = null;
  /** Set once the request was repeated with fresh credentials after AWS called the old ones expired. */
  private reauthenticated: bool = false;
  /** The status and host result of the reply sent last (APISIX must be told when a reply was refused). */
  private replyStatus: u32 = 0;
  private replyResult: WasmResult = WasmResult.Ok;
  private calloutToken: u32 = 0;
  private calloutStartNanos: u64 = 0;
  /** Proxy mode for this request: signed in place, carried by the route's upstream. */
  private inPlace: bool = false;
  /** Set while a request callback runs: a request proxied then goes on when it returns, not by continue. */
  private inRequestCallback: bool = false;
  /** Size of the client's body as the host holds it (proxy mode replaces it with the event). */
  private clientBodySize: usize = 0;
  /** The body while it arrives: hashed piece by piece, kept when sent by callout or in an event. */
  private body: RequestBody | null = null;
  private response: ProxyResponse | null = null;

  /** The config this request runs under, fixed when it starts even if the root is reconfigured. */
  readonly config: Config | null;
  /** That config's credential provider (null without IAM), fixed with it. */
  private readonly provider: CredentialProvider | null;

  constructor(public id: u32, public root: RootContext) {
    this.config = root.config;
    this.provider = root.credentials;
  }

  /** proxy_on_request_headers: refuse what can be refused early, then wait for the body or call the function. */
  onRequestHeaders(endOfStream: bool): FilterStatus {
    if (this.stage != Stage.Headers) return FilterStatus.Continue;
    this.inRequestCallback = true;
    const status = this.requestHeaders(endOfStream);
    this.inRequestCallback = false;
    return status;
  }

  private requestHeaders(endOfStream: bool): FilterStatus {
    countRequest();
    if (headerMapNeedsHost() && getHeader(MapType.HttpRequestHeaders, "host") == null) {
      // Reading the whole map would crash the APISIX worker: name the request from single keys and answer.
      this.request = ClientRequest.named(getHeader(MapType.HttpRequestHeaders, ":method"),
        getHeader(MapType.HttpRequestHeaders, ":path"));
      return this.refuse(failAnswer(Failure.NoHost, "request has no Host header"));
    }
    const headers = getHeaders(MapType.HttpRequestHeaders);
    const request = ClientRequest.from(headers);
    this.request = request;
    const config = this.config;
    if (config == null) return this.refuse(failAnswer(Failure.NotConfigured, "no valid configuration"));
    if (headers.length == 0) {
      return this.refuse(failAnswer(Failure.RequestHostFault, "the host did not hand over the request headers"));
    }
    if (!isMethodToken(request.method)) return this.refuse(failAnswer(Failure.BadMethod, "the method is not an HTTP token"));
    const target = targetFor(config);
    const refusal = target.accept(request);
    if (refusal != null) return this.refuse(refusal);
    this.target = target;
    if (request.declaredContentLength() > config.maxReqBodySize) return this.refuse(tooLarge(config));
    // Envoy gives a filter no way to add a body to a request that has none: such a request to the Invoke
    // API (whose event is a body) goes by callout even in proxy mode.
    this.inPlace = config.proxy && !(target.replacesBody && endOfStream && !bodyAlwaysFollowsHeaders());

    if (bodyAlwaysFollowsHeaders()) {
      // APISIX: end_of_stream is always true here; the body (maybe empty) comes once we ask for it.
      if (setProperty(["wasm_process_req_body"], "on") != WasmResult.Ok) {
        // Without it no body callback comes and the request would go past the filter: fail closed.
        return this.refuse(failAnswer(Failure.RequestHostFault, "the host refused to deliver the request body"));
      }
      this.stage = Stage.Body;
      return FilterStatus.Continue;
    }
    if (endOfStream) return this.send(EMPTY_BODY);
    this.stage = Stage.Body;
    return FilterStatus.StopIteration;
  }

  /** proxy_on_request_body: each new piece is read and hashed now, refusing oversize bodies; sent at end of stream. */
  onRequestBody(bodySize: usize, endOfStream: bool): FilterStatus {
    this.inRequestCallback = true;
    const status = this.requestBody(bodySize, endOfStream);
    this.inRequestCallback = false;
    return status;
  }

  private requestBody(bodySize: usize, endOfStream: bool): FilterStatus {
    const config = this.config;
    if (this.stage != Stage.Body || config == null) {
      return this.stage == Stage.Headers || this.stage == Stage.Proxied ? FilterStatus.Continue : FilterStatus.StopIteration;
    }
    if (<i64>bodySize > config.maxReqBodySize) return this.refuse(tooLarge(config));
    let body = this.body;
    if (body == null) {
      // A signed body as it came needs its hash; a callout or an event needs the bytes (in place, the host keeps them).
      const target = this.target!;
      body = new RequestBody(config.iam != null && target.sendsBodyAsIs, !this.inPlace || target.replacesBody,
        this.request.declaredContentLength());
      this.body = body;
    }
    const problem = body.take(bodySize);
    if (problem.length > 0) return this.refuse(failAnswer(Failure.RequestHostFault, problem));
    if (!endOfStream) return FilterStatus.StopIteration;
    this.body = null;
    this.clientBodySize = bodySize;
    return this.send(body.bytes(), body.payloadHash());
  }

  /** The whole body is here: the target builds what goes to the function; credentials, then it is sent. */
  private send(body: ArrayBuffer, bodyHash: string = ""): FilterStatus {
    const refusal = this.target!.build(this.request, body, bodyHash);
    if (refusal != null) return this.refuse(refusal);
    this.obtainCredentials();
    return this.afterReply();
  }

  /** Asks the root's provider for credentials (none without IAM); they may come at once or after a fetch. */
  private obtainCredentials(): void {
    const provider = this.provider;
    if (provider == null) {
      this.forward();
      return;
    }
    this.stage = Stage.Credentials;
    provider.obtain(this, this.root.id, this.config!.timeoutMs);
    // A fetch that started calls out on the root context: later host calls are this stream's again.
    setEffectiveContext(this.id);
  }

  credentialsReady(credentials: Credentials): void {
    if (this.stage != Stage.Credentials) return;
    setEffectiveContext(this.id);
    this.credentials = credentials;
    this.forward();
  }

  credentialsFailed(cause: string): void {
    if (this.stage != Stage.Credentials) return;
    setEffectiveContext(this.id);
    this.finish(failAnswer(Failure.CredentialsUnavailable, "no credentials from " + cause));
  }

  /** Sends the request on, signed: in place (proxy mode) or as a callout. */
  private forward(): void {
    if (this.inPlace) this.forwardInPlace();
    else this.dispatch();
  }

  /** The signature of what goes to the function, [] without IAM. */
  private signature(): Array<Header> {
    const credentials = this.credentials;
    const iam = this.config!.iam;
    if (credentials == null || iam == null) return NO_HEADERS;
    const signing = signRequest(this.target!.outgoing, credentials, iam.scope, realtimeMillis());
    // Only what a refusal's log line needs: the canonical request itself would stay in memory while the call runs.
    this.signed = new SignatureTrace(signing.canonicalRequestHash, signing.signedHeaders);
    return signing.headersToAdd();
  }

  /** Proxy mode: rewrites and signs the held request, then lets the host's router carry it. */
  private forwardInPlace(): void {
    const target = this.target!;
    const outgoing = target.outgoing;
    const replaced = target.replacesBody;
    let problem = rewriteRequest(this.request.headers, outgoing, this.signature(), replaced ? outgoing.body.byteLength : -1);
    if (problem.length == 0 && replaced && setBuffer(BufferType.HttpRequestBody, 0, <u32>this.clientBodySize, outgoing.body) != WasmResult.Ok) {
      problem = "replacing the request body";
    }
    if (problem.length > 0) {
      this.finish(failAnswer(Failure.RequestHostFault, "the host refused " + problem + " of the proxied request"));
      return;
    }
    this.stage = Stage.Proxied;
    this.response = target.proxyResponse();
    // From a callout's answer (credentials fetched meanwhile), the paused request must be resumed.
    if (!this.inRequestCallback) continueStream(REQUEST_STREAM);
  }

  /** proxy_on_response_headers: a proxied request's response, read on its way when the target needs it. */
  onResponseHeaders(endOfStream: bool): FilterStatus {
    if (this.stage != Stage.Proxied) return FilterStatus.Continue;
    const response = this.response;
    if (response == null) {
      // A URL target's response passes untouched: counted, and only a refusal or failure is read further.
      const text = getHeader(MapType.HttpResponseHeaders, ":status");
      const status = text != null ? statusOf([new Header(":status", text)]) : 0;
      if (status != 403 && status < 502) {
        countReply(status);
        return FilterStatus.Continue;
      }
    }
    const headers = getHeaders(MapType.HttpResponseHeaders);
    const status = statusOf(headers);
    if (status == 403 && this.credentials != null) this.proxiedRefusal(headers);
    if (response != null) return response.headers(this.request.logName, headers, endOfStream);
    if (!hostFailure(this.request.logName, status, headers)) countReply(status);
    return FilterStatus.Continue;
  }

  /**
   * AWS refused a proxied request's signature (403; the type is in x-amzn-errortype). The refusal goes to
   * the client — the route carried the only attempt — but fetched credentials AWS calls expired are dropped,
   * so the next request fetches new ones, and the log explains it as in callout mode.
   */
  private proxiedRefusal(headers: Array<Header>): void {
    const refusal = signatureRefusal(headers, EMPTY_BODY);
    if (refusal == AuthRefusal.None) return;
    let line = this.request.logName + ": " + explainRefusal(refusal, headers, this.signed);
    if (refusal == AuthRefusal.ExpiredToken && this.provider!.rotates) {
      this.provider!.invalidate(this.credentials!);
      line += "; they are dropped and the next request fetches new ones";
    }
    logLine(LogLevel.Error, line);
  }

  /** proxy_on_response_body of a proxied request. */
  onResponseBody(bodySize: usize, endOfStream: bool): FilterStatus {
    const response = this.response;
    if (this.stage != Stage.Proxied || response == null) return FilterStatus.Continue;
    return response.body(this.request.logName, bodySize, endOfStream);
  }

  /** Signs and sends one callout attempt; its response arrives on the root context. */
  private dispatch(): void {
    const config = this.config!;
    const outgoing = this.target!.outgoing;
    const headers = outgoing.wireHeaders(this.signature());
    this.stage = Stage.Callout;
    this.calloutStartNanos = monotonicNanos();
    const dispatch = httpCall(config.upstream, headers, outgoing.body, <u32>config.timeoutMs);
    if (dispatch.result != WasmResult.Ok) {
      this.finish(failAnswer(Failure.CalloutRefused, "the host refused the callout to upstream \"" + config.upstream
        + "\" (" + resultName(dispatch.result) + "): on Envoy it must name a cluster, on APISIX a host[:port]"));
      return;
    }
    countCallout();
    this.calloutToken = dispatch.token;
    this.root.pending.set(dispatch.token, this.id);
  }

  /** proxy_on_http_call_response (delivered on the root): relay the function's answer, retry, or fail. */
  onCalloutResponse(headerCount: usize, bodySize: usize): void {
    if (this.stage != Stage.Callout) return;
    setEffectiveContext(this.id);
    const elapsedMs = (monotonicNanos() - this.calloutStartNanos) / 1_000_000;
    recordCalloutDuration(elapsedMs);
    this.answer(this.readResponse(this.config!, headerCount, bodySize, elapsedMs));
  }

  private readResponse(config: Config, headerCount: usize, bodySize: usize, elapsedMs: u64): Answer {
    if (headerCount == 0) {
      // Both hosts report a failed callout (reset, refused, TLS, APISIX timeout) as zero headers.
      if (timedOut(elapsedMs, config.timeoutMs)) {
        // The function may still be running: never repeated.
        return failAnswer(Failure.CalloutTimeout, "the function did not answer within " + config.timeoutMs.toString() + " ms");
      }
      return retryableAnswer(Failure.CalloutFailed, "the callout to upstream \"" + config.upstream + "\" failed without a response");
    }
    const response = getHeaders(MapType.HttpCallResponseHeaders);
    const status = statusOf(response);
    if (status == 0) return failAnswer(Failure.BadResponse, "the function's response has no valid :status");
    const body = bodySize > 0 ? getBuffer(BufferType.HttpCallResponseBody, 0, <u32>bodySize) : EMPTY_BODY;
    if (<usize>body.byteLength != bodySize) {
      // Never relay a truncated answer as if it were whole.
      return failAnswer(Failure.ResponseHostFault, "the host handed over " + body.byteLength.toString() + " of "
        + bodySize.toString() + " response bytes");
    }
    if (status == 403 && this.credentials != null) {
      const refusal = signatureRefusal(response, body);
      if (refusal == AuthRefusal.ExpiredToken && !this.reauthenticated && this.provider!.rotates) {
        return reauthenticateAnswer();
      }
      if (refusal != AuthRefusal.None) logLine(LogLevel.Error, this.request.logName + ": " + explainRefusal(refusal, response, this.signed));
    }
    return this.target!.read(status, response, body);
  }

  private answer(answer: Answer): void {
    if (answer.verdict == Verdict.Reauthenticate) {
      // Fetched credentials AWS calls expired: drop them everywhere and repeat once with fresh ones.
      this.reauthenticated = true;
      this.provider!.invalidate(this.credentials!);
      this.obtainCredentials();
      return;
    }
    if (answer.verdict == Verdict.RetryOrFail && this.target!.mayRetry(this.request, this.attempts)) {
      this.attempts++;
      countRetry();
      let delay = BASE_BACKOFF_MS << <u64>(this.attempts - 1);
      if (delay > MAX_BACKOFF_MS) delay = MAX_BACKOFF_MS;
      this.stage = Stage.Backoff;
      if (!this.root.retries.schedule(this.id, monotonicNanos() / 1_000_000 + delay)) this.dispatch();
      return;
    }
    this.finish(answer);
  }

  /** Sends the reply `answer` decides: the function's, or an error of the failure table. */
  private finish(answer: Answer): void {
    this.stage = Stage.Done;
    this.replyStatus = answer.verdict == Verdict.Relay || answer.status != 0 ? answer.status : failureKind(answer.failure).status;
    this.replyResult = answer.verdict == Verdict.Relay ? relay(answer.status, answer.headers, answer.body)
      : fail(answer.failure, this.request.logName, answer.message, answer.headers, answer.status);
  }

  /**
   * What a request callback returns. StopIteration is safe on both hosts once a reply was sent or a call
   * dispatched; if the host refused the reply, APISIX would read StopIteration as "perform the http call"
   * and crash, but takes a status code (>= 100) as the response to give.
   */
  private afterReply(): FilterStatus {
    if (this.stage == Stage.Proxied) return FilterStatus.Continue;
    if (this.stage == Stage.Done && this.replyResult != WasmResult.Ok && bodyAlwaysFollowsHeaders()) {
      return <FilterStatus>this.replyStatus;
    }
    return FilterStatus.StopIteration;
  }

  /** A scheduled retry is due (proxy_on_tick on the root). */
  retryNow(): void {
    if (this.stage != Stage.Backoff) return;
    setEffectiveContext(this.id);
    this.dispatch();
  }

  /** The stream ended (client gone or reply sent): a callout still pending is forgotten, its answer dropped. */
  onDelete(): void {
    if (this.stage == Stage.Credentials) this.provider!.forget(this);
    if (this.stage == Stage.Callout) this.root.pending.delete(this.calloutToken);
    if (this.stage == Stage.Backoff) this.root.retries.cancel(this.id);
    this.stage = Stage.Done;
  }

  /** Ends the request, from a request callback, with an error reply. */
  private refuse(answer: Answer): FilterStatus {
    this.finish(answer);
    return this.afterReply();
  }
}

/**
 * Whether a callout that failed after `elapsedMs` ran into its timeout. nginx arms its timers from a clock
 * cached per event-loop turn, so on APISIX a timed-out call can look up to a turn shorter than `timeout`
 * to the filter (measured: a few ms with 15 concurrent calls); a failure within 5 % (at least 20 ms) of the
 * timeout counts as a timeout. Real connection failures come back in a few milliseconds.
 */
function timedOut(elapsedMs: u64, timeoutMs: i64): bool {
  let tolerance = timeoutMs / 20;
  if (tolerance < TIMEOUT_TOLERANCE_MIN_MS) tolerance = TIMEOUT_TOLERANCE_MIN_MS;
  return <i64>elapsedMs >= timeoutMs - tolerance;
}

function tooLarge(config: Config): Answer {
  return failAnswer(Failure.BodyTooLarge, "request body is larger than max_req_body_size ("
    + config.maxReqBodySize.toString() + " bytes)");
}
