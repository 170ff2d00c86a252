// One client request, read as the request flow: headers → body → sign → callout → answer, with bounded
// retries for calls that may safely be repeated. What is sent and how the answer reads is the target's
// business (target.ts); how each host delivers the body is the host's (host-traits.ts).
import { continueStream, getBuffer, getHeader, getHeaders, httpCall, setEffectiveContext, setProperty } from "../abi/host";
import { BufferType, FilterStatus, MapType, WasmResult, resultName } from "../abi/types";
import { monotonicNanos } from "../abi/wasi";
import { CredentialProvider, CredentialWaiter } from "../credentials/provider";
import { Credentials } from "../sigv4/credentials";
import { Config } from "../config/config";
import { isMethodToken } from "../http/method";
import { statusOf } from "../http/status";
import { Answer, failAnswer, reauthenticateAnswer, retryableAnswer, Verdict } from "./answer";
import { ClientRequest } from "./client-request";
import { Failure, failureKind } from "./failures";
import { bodyAlwaysFollowsHeaders, headerMapNeedsHost } from "./host-traits";
import { countCallout, countRequest, countRetry, recordCalloutDuration } from "./metrics";
import { ProxiedRequest } from "./proxied-request";
import { rewriteRequest } from "./proxy-rewrite";
import { RequestSigning } from "./request-signing";
import { backoffMs } from "./retry-schedule";
import { timedOut } from "./callout-timeout";
import { RequestBody } from "./request-body";
import { fail, relay } from "./replies";
import { RootContext } from "./root-context";
import { Target } from "./target";
import { targetFor } from "./targets";

/** Proxied: the request went on to the route's upstream; the response callbacks follow. */
enum Stage { Headers, Body, Credentials, Callout, Backoff, Proxied, Done }

const EMPTY_BODY = new ArrayBuffer(0);
/** proxy_continue_stream's stream type for the request. */
const REQUEST_STREAM: u32 = 0;

export class StreamContext implements CredentialWaiter {
  private stage: Stage = Stage.Headers;
  private request: ClientRequest = new ClientRequest();
  private target: Target | null = null;
  private attempts: i32 = 0;
  /** The credentials this request is signed with, and what AWS says of its signature. */
  private readonly signing: RequestSigning;
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
  /** Proxy mode, once the request went on: its response's way through. */
  private proxied: ProxiedRequest | null = null;

  /** The config this request runs under, fixed when it starts even if the root is reconfigured. */
  readonly config: Config | null;
  /** That config's credential provider (null without IAM), fixed with it. */
  private readonly provider: CredentialProvider | null;

  constructor(public id: u32, public root: RootContext) {
    const config = root.config;
    this.signing = new RequestSigning(config != null ? config.iam : null, root.credentials);
    this.config = config;
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
    this.signing.credentials = credentials;
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

  /** Proxy mode: rewrites and signs the held request, then lets the host's router carry it. */
  private forwardInPlace(): void {
    const target = this.target!;
    const problem = rewriteRequest(this.request.headers, target.outgoing, this.signing.headersFor(target.outgoing),
      target.replacesBody ? <i64>this.clientBodySize : -1);
    if (problem.length > 0) {
      this.finish(failAnswer(Failure.RequestHostFault, "the host refused " + problem + " of the proxied request"));
      return;
    }
    this.stage = Stage.Proxied;
    this.proxied = new ProxiedRequest(this.request.logName, target.proxyResponse(), this.signing);
    // From a callout's answer (credentials fetched meanwhile), the paused request must be resumed.
    if (!this.inRequestCallback) continueStream(REQUEST_STREAM);
  }

  /** proxy_on_response_headers: a proxied request's response, read on its way when the target needs it. */
  onResponseHeaders(endOfStream: bool): FilterStatus {
    const proxied = this.proxied;
    return this.stage == Stage.Proxied && proxied != null ? proxied.headers(endOfStream) : FilterStatus.Continue;
  }

  /** proxy_on_response_body of a proxied request. */
  onResponseBody(bodySize: usize, endOfStream: bool): FilterStatus {
    const proxied = this.proxied;
    return this.stage == Stage.Proxied && proxied != null ? proxied.body(bodySize, endOfStream) : FilterStatus.Continue;
  }

  /** Signs and sends one callout attempt; its response arrives on the root context. */
  private dispatch(): void {
    const config = this.config!;
    const outgoing = this.target!.outgoing;
    const headers = outgoing.wireHeaders(this.signing.headersFor(outgoing));
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
    if (status == 403 && this.signing.mayReauthenticate(this.request.logName, response, body)) return reauthenticateAnswer();
    return this.target!.read(status, response, body);
  }

  private answer(answer: Answer): void {
    if (answer.verdict == Verdict.Reauthenticate) {
      // Fetched credentials AWS calls expired: drop them everywhere and repeat once with fresh ones.
      this.signing.reauthenticate();
      this.obtainCredentials();
      return;
    }
    if (answer.verdict == Verdict.RetryOrFail && this.target!.mayRetry(this.request, this.attempts)) {
      this.attempts++;
      countRetry();
      this.stage = Stage.Backoff;
      if (!this.root.retries.schedule(this.id, monotonicNanos() / 1_000_000 + backoffMs(this.attempts))) this.dispatch();
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

function tooLarge(config: Config): Answer {
  return failAnswer(Failure.BodyTooLarge, "request body is larger than max_req_body_size ("
    + config.maxReqBodySize.toString() + " bytes)");
}
