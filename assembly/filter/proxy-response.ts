// Proxy mode, response side (Envoy): Lambda's answer on its way to the client. The Invoke API's buffered
// answer is read as a callout's would be (throttling, function errors, unwrapping) and the response rewritten
// to it; InvokeWithResponseStream's event stream is decoded chunk by chunk, each chunk replaced by the
// function's own bytes, after the status and headers its HTTP integration prelude names.
import { addHeader, getBuffer, removeHeader, replaceHeader, setBuffer } from "../abi/host";
import { BufferType, FilterStatus, LogLevel, MapType } from "../abi/types";
import { Header, headerValue } from "../http/header";
import { statusOf } from "../http/status";
import { StreamedInvocation } from "../invoke/response-stream";
import { PreludeState } from "../invoke/stream-prelude";
import { joinBytes } from "../kernel/byte-buffer";
import { Answer, failAnswer, relayAnswer, Verdict } from "./answer";
import { Failure } from "./failures";
import { countFailure, countReply } from "./metrics";
import { fail, logLine } from "./replies";

const RESPONSE = MapType.HttpResponseHeaders;
const EMPTY = new ArrayBuffer(0);
/** A buffered Invoke API answer is at most Lambda's 6 MB, plus room for the envelope. */
const MAX_BUFFERED_ANSWER = 8 << 20;

/** What reads a proxied Invoke API answer: the target's answer rules, and the headers it adds. */
export interface AnswerReader {
  read(status: u32, headers: Array<Header>, body: ArrayBuffer): Answer;
  traced(response: Array<Header>): Array<Header>;
}

export abstract class ProxyResponse {
  /** proxy_on_response_headers of the proxied request, with the response headers as read. */
  abstract headers(request: string, upstream: Array<Header>, endOfStream: bool): FilterStatus;
  /** proxy_on_response_body of the proxied request. */
  abstract body(request: string, size: usize, endOfStream: bool): FilterStatus;
}

/**
 * A 502/503/504 without Lambda's x-amzn-requestid is the host's own answer for the route's upstream (Envoy's
 * router: connect failure, reset, route timeout; nginx: 502, 504): it passes to the client as it is, and is
 * logged and counted as the failed or timed-out call it stands for. False for any other response.
 */
export function hostFailure(request: string, status: u32, headers: Array<Header>): bool {
  if (status != 502 && status != 503 && status != 504) return false;
  if (headerValue(headers, "x-amzn-requestid").length > 0) return false;
  const failure = status == 504 ? Failure.CalloutTimeout : Failure.CalloutFailed;
  countFailure(failure);
  countReply(status);
  logLine(LogLevel.Error, request + ": the route's upstream failed (the host answered " + status.toString() + ")");
  return true;
}

/** Replaces the response's status and headers (held back so far) with `status` and `headers`. */
function rewriteHead(status: u32, headers: Array<Header>, old: Array<Header>): void {
  replaceHeader(RESPONSE, ":status", status.toString());
  for (let i = 0; i < old.length; i++) {
    if (old[i].name.length > 0 && old[i].name.charCodeAt(0) != 0x3a) removeHeader(RESPONSE, old[i].name);
  }
  for (let i = 0; i < headers.length; i++) addHeader(RESPONSE, headers[i].name, headers[i].value);
  countReply(status);
}

/** Ends the response with the filter's error reply (Envoy sends it in place of the held-back response). */
function refuse(request: string, answer: Answer): FilterStatus {
  fail(answer.failure, request, answer.message, answer.headers, answer.status);
  return FilterStatus.StopIteration;
}

/** The Invoke API's buffered answer, read whole, then rewritten to what the client should get. */
export class BufferedResponse extends ProxyResponse {
  private status: u32 = 0;
  private upstream: Array<Header> = [];
  /** The host's own failure answer: it goes to the client untouched. */
  private passing: bool = false;

  constructor(protected readonly reader: AnswerReader) {
    super();
  }

  headers(request: string, upstream: Array<Header>, endOfStream: bool): FilterStatus {
    this.upstream = upstream;
    this.status = statusOf(upstream);
    if (this.status == 0) return refuse(request, failAnswer(Failure.BadResponse, "the function's response has no valid :status"));
    if (hostFailure(request, this.status, this.upstream)) {
      this.passing = true;
      return FilterStatus.Continue;
    }
    if (endOfStream) return this.conclude(request, EMPTY, 0);
    return FilterStatus.StopIteration;
  }

  body(request: string, size: usize, endOfStream: bool): FilterStatus {
    if (this.passing) return FilterStatus.Continue;
    if (size > <usize>MAX_BUFFERED_ANSWER) {
      return refuse(request, failAnswer(Failure.BadResponse, "the Invoke API answered more than " + MAX_BUFFERED_ANSWER.toString() + " bytes"));
    }
    if (!endOfStream) return FilterStatus.StopIteration;
    const body = size > 0 ? getBuffer(BufferType.HttpResponseBody, 0, <u32>size) : EMPTY;
    if (<usize>body.byteLength != size) {
      return refuse(request, failAnswer(Failure.ResponseHostFault, "the host handed over " + body.byteLength.toString()
        + " of " + size.toString() + " response bytes"));
    }
    return this.conclude(request, body, size);
  }

  private conclude(request: string, body: ArrayBuffer, size: usize): FilterStatus {
    const answer = this.reader.read(this.status, this.upstream, body);
    // No retries in proxy mode: the route's upstream carried the only attempt.
    if (answer.verdict != Verdict.Relay) return refuse(request, answer);
    const headers = answer.headers.slice(0);
    headers.push(new Header("content-length", answer.body.byteLength.toString()));
    rewriteHead(answer.status, headers, this.upstream);
    setBuffer(BufferType.HttpResponseBody, 0, <u32>size, answer.body);
    return FilterStatus.Continue;
  }
}

/** InvokeWithResponseStream's answer, decoded chunk by chunk. */
export class StreamedResponse extends ProxyResponse {
  private readonly invocation: StreamedInvocation = new StreamedInvocation();
  /** A failed invocation (not 200) answers small JSON: read whole like a buffered one. */
  private buffered: BufferedResponse | null = null;
  private upstream: Array<Header> = [];
  private headersSent: bool = false;
  /** Bytes of the host's current buffer already fed to the decoder (it accumulates while the head waits). */
  private fed: usize = 0;
  private output: Array<ArrayBuffer> = [];
  private dropping: bool = false;

  constructor(private readonly reader: AnswerReader) {
    super();
  }

  headers(request: string, upstream: Array<Header>, endOfStream: bool): FilterStatus {
    this.upstream = upstream;
    if (statusOf(upstream) != 200 || endOfStream) {
      const buffered = new BufferedResponse(this.reader);
      this.buffered = buffered;
      return buffered.headers(request, upstream, endOfStream);
    }
    return FilterStatus.StopIteration;
  }

  body(request: string, size: usize, endOfStream: bool): FilterStatus {
    const buffered = this.buffered;
    if (buffered != null) return buffered.body(request, size, endOfStream);
    if (this.dropping) return this.replace(size, EMPTY);
    const chunk = size > this.fed ? getBuffer(BufferType.HttpResponseBody, <u32>this.fed, <u32>(size - this.fed)) : EMPTY;
    this.fed = size;
    this.output.push(this.invocation.push(chunk));
    if (endOfStream) this.output.push(this.invocation.finish());
    const invocation = this.invocation;
    if (invocation.streamError.length > 0) return this.broken(request, size, invocation.streamError);
    if (!this.headersSent) {
      if (!invocation.headersKnown && !endOfStream) return FilterStatus.StopIteration;
      const prelude = invocation.prelude;
      if (prelude.state == PreludeState.Invalid) {
        return refuse(request, failAnswer(Failure.BadResponse, prelude.prelude.error));
      }
      const found = prelude.state == PreludeState.Found;
      const headers = found ? prelude.prelude.headers.slice(0) : [new Header("content-type", "application/octet-stream")];
      const traced = this.reader.traced(this.upstream);
      for (let i = 0; i < traced.length; i++) headers.push(traced[i]);
      rewriteHead(found ? <u32>prelude.prelude.status : 200, headers, this.upstream);
      this.headersSent = true;
    }
    if (endOfStream) this.concluded(request);
    return this.replace(size, this.drain());
  }

  /** Replaces the host's buffered bytes with `bytes` and lets them go to the client now. */
  private replace(size: usize, bytes: ArrayBuffer): FilterStatus {
    setBuffer(BufferType.HttpResponseBody, 0, <u32>size, bytes);
    this.fed = 0;
    return FilterStatus.Continue;
  }

  private drain(): ArrayBuffer {
    const out = this.output.length == 0 ? EMPTY : joinBytes(this.output);
    this.output.length = 0;
    return out;
  }

  /** The event stream broke: before the head went out the client gets a 502; after, the rest is dropped. */
  private broken(request: string, size: usize, error: string): FilterStatus {
    if (!this.headersSent) return refuse(request, failAnswer(Failure.BadResponse, error));
    countFailure(Failure.BadResponse);
    logLine(LogLevel.Error, request + ": " + error + "; the rest of the response was dropped");
    this.dropping = true;
    return this.replace(size, this.drain());
  }

  private concluded(request: string): void {
    const invocation = this.invocation;
    if (invocation.functionError.length > 0) {
      countFailure(Failure.FunctionError);
      logLine(LogLevel.Warn, request + ": the function failed while streaming (" + invocation.functionError + ")");
    } else if (!invocation.completed) {
      countFailure(Failure.BadResponse);
      logLine(LogLevel.Error, request + ": the event stream ended without InvokeComplete");
    }
  }
}

/** A whole InvokeWithResponseStream answer (a callout's) as the client's reply. */
export function streamedAnswer(body: ArrayBuffer, traced: Array<Header>, functionErrorStatus: u32): Answer {
  const invocation = new StreamedInvocation();
  const first = invocation.push(body);
  const rest = invocation.finish();
  if (invocation.streamError.length > 0) return failAnswer(Failure.BadResponse, invocation.streamError);
  if (invocation.functionError.length > 0) {
    return failAnswer(Failure.FunctionError, "the function failed (" + invocation.functionError + ")", [], functionErrorStatus);
  }
  if (!invocation.completed) return failAnswer(Failure.BadResponse, "the event stream ended without InvokeComplete");
  const prelude = invocation.prelude;
  if (prelude.state == PreludeState.Invalid) return failAnswer(Failure.BadResponse, prelude.prelude.error);
  const found = prelude.state == PreludeState.Found;
  const headers = found ? prelude.prelude.headers.slice(0) : [new Header("content-type", "application/octet-stream")];
  for (let i = 0; i < traced.length; i++) headers.push(traced[i]);
  return relayAnswer(found ? <u32>prelude.prelude.status : 200, headers, rest.byteLength == 0 ? first : joinBytes([first, rest]));
}
