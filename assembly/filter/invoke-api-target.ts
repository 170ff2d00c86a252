// A request to a Lambda function through the Invoke API: the function and qualifier for this request, the
// event (or the raw body) as payload, and how the Invoke API's answer becomes the client's reply.
import { getPropertyText } from "../abi/host";
import { LogLevel } from "../abi/types";
import { realtimeMillis, randomU32 } from "../abi/wasi";
import { Config } from "../config/config";
import { EventFormat, InvokeOptions } from "../config/invoke-options";
import { Header, headerValue } from "../http/header";
import { forwardedRequestHeaders, hasUnsafeValue, Replaced } from "../http/forwarding";
import { joinRequestPath } from "../http/request-path";
import { eventV1 } from "../invoke/event-v1";
import { eventV2 } from "../invoke/event-v2";
import { chooseFunction, FunctionChoice } from "../invoke/function-choice";
import { RequestFacts } from "../invoke/request-facts";
import { unwrapFunctionResponse } from "../invoke/unwrap";
import { JsonWriter } from "../util/json-writer";
import { Answer, failAnswer, relayAnswer, retryableAnswer } from "./answer";
import { ClientRequest } from "./client-request";
import { Failure } from "./failures";
import { countQualifier } from "./metrics";
import { AnswerReader, BufferedResponse, ProxyResponse, StreamedResponse, streamedAnswer } from "./proxy-response";
import { Target } from "./target";

/** Lambda's payload limits: 6 MB for synchronous invocations, 1 MB for asynchronous ones. */
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

/** Header that shows clients which weighted qualifier served them. */
export const QUALIFIER_HEADER = "x-aws-lambda-qualifier";

/** An Invoke API header value that may be relayed to the client: "" when absent or unsafe (CR, LF, NUL). */
function relayable(headers: Array<Header>, name: string): string {
  const value = headerValue(headers, name);
  return hasUnsafeValue(value) ? "" : value;
}

/** The client's address: Envoy's source.address (without port), APISIX's remote_addr, else X-Forwarded-For. */
function sourceIp(clientHeaders: Array<Header>): string {
  let address = getPropertyText(["source", "address"]);
  if (address.length > 0) {
    const colon = address.lastIndexOf(":");
    if (colon > 0 && address.indexOf("]") < colon && (address.startsWith("[") || address.indexOf(":") == colon)) {
      address = address.substring(0, colon);
    }
    if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length - 1);
    return address;
  }
  address = getPropertyText(["remote_addr"]);
  if (address.length > 0) return address;
  const forwarded = headerValue(clientHeaders, "x-forwarded-for");
  return forwarded.length > 0 ? forwarded.split(",")[0].trim() : "";
}

function requestId(clientHeaders: Array<Header>): string {
  const id = headerValue(clientHeaders, "x-request-id");
  if (id.length > 0) return id;
  return randomU32().toString(16) + randomU32().toString(16) + randomU32().toString(16);
}

export class InvokeApiTarget extends Target implements AnswerReader {
  private readonly options: InvokeOptions;
  private choice: FunctionChoice = new FunctionChoice();
  /** The client query, for the event. */
  private eventQuery: string = "";

  constructor(private readonly config: Config) {
    super();
    this.options = config.invoke!;
  }

  /** The path after path_prefix must be safe and, with allowed_functions, name one of them. */
  accept(request: ClientRequest): Answer | null {
    // Joined onto "" so the same checks apply and the result is the path the function sees.
    const joined = joinRequestPath(request.path, request.query, "", "", true, this.config.pathPrefix);
    if (!joined.ok) return failAnswer(joined.status == 404 ? Failure.OutsidePrefix : Failure.BadPath, joined.reason);
    this.eventQuery = joined.query;
    const choice = chooseFunction(this.options, joined.path, randomU32(), this.config.responseStream);
    if (choice.refusal.length > 0) return failAnswer(Failure.FunctionNotAllowed, choice.refusal);
    this.choice = choice;
    const outgoing = this.outgoing;
    outgoing.method = "POST";
    outgoing.path = choice.path;
    outgoing.query = choice.query;
    outgoing.authority = this.config.functionUri.authority;
    outgoing.scheme = "https";
    return null;
  }

  /** The payload (an event, or the body itself) within Lambda's limit, and the Invoke API headers. */
  build(request: ClientRequest, body: ArrayBuffer, bodyHash: string): Answer | null {
    const options = this.options;
    const passthrough = options.eventFormat == EventFormat.Passthrough;
    // The event is written and hashed in one pass; the raw body was hashed as it arrived.
    const event: JsonWriter | null = passthrough ? null : this.event(request, body);
    const payload = event != null ? event.bytes() : body;
    const limit = options.asynchronous ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    if (payload.byteLength > limit) {
      return failAnswer(Failure.EventTooLarge, "the invocation payload is " + payload.byteLength.toString()
        + " bytes, over Lambda's " + limit.toString() + "-byte limit");
    }
    this.outgoing.headers = [
      new Header("content-type", "application/json"),
      new Header("x-amz-invocation-type", options.asynchronous ? "Event" : "RequestResponse"),
    ];
    this.outgoing.body = payload;
    this.outgoing.payloadHash = event != null ? event.payloadHash() : bodyHash;
    // Counted once per request, not per retry.
    if (this.choice.weighted) countQualifier(this.choice.qualifier);
    return null;
  }

  private event(request: ClientRequest, body: ArrayBuffer): JsonWriter {
    const options = this.options;
    const clientHeaders = request.headers;
    const facts = new RequestFacts();
    facts.method = request.method;
    facts.rawPath = this.choice.eventPath;
    facts.rawQuery = this.eventQuery;
    facts.domainName = headerValue(clientHeaders, ":authority");
    if (facts.domainName.length == 0) facts.domainName = headerValue(clientHeaders, "host");
    const headers = forwardedRequestHeaders(clientHeaders, new Replaced());
    if (facts.domainName.length > 0) headers.unshift(new Header("host", facts.domainName));
    facts.headers = headers;
    facts.body = body;
    facts.sourceIp = sourceIp(clientHeaders);
    facts.requestId = requestId(clientHeaders);
    const protocol = getPropertyText(["request", "protocol"]);
    facts.protocol = protocol.length > 0 ? protocol : getPropertyText(["server_protocol"]);
    if (facts.protocol.length == 0) facts.protocol = "HTTP/1.1";
    facts.timeEpochMillis = realtimeMillis();
    facts.accountId = options.arn.account;
    // Room for the members around the body; the body reserves its own exact size when it is written.
    const json = new JsonWriter(2048, this.config.iam != null);
    if (options.eventFormat == EventFormat.ApiGatewayV1) eventV1(facts, json);
    else eventV2(facts, json);
    return json;
  }

  /** Reads the Invoke API's answer (status, headers, body) into the client's reply. */
  read(status: u32, response: Array<Header>, body: ArrayBuffer): Answer {
    const options = this.options;
    const choice = this.choice;
    const name = choice.functionName;
    const errorType = headerValue(response, "x-amzn-errortype");
    if (status == 429) {
      const retryAfter = relayable(response, "retry-after");
      return retryableAnswer(Failure.Throttled, "Lambda throttled the invocation of \"" + name + "\"",
        retryAfter.length > 0 ? [new Header("retry-after", retryAfter)] : []);
    }
    if (status >= 500) {
      return retryableAnswer(Failure.LambdaServiceError, "the Lambda service failed (" + status.toString()
        + (errorType.length > 0 ? " " + errorType : "") + ")");
    }
    if (status == 404) {
      return failAnswer(Failure.NoSuchFunction, "the Invoke API has no function \"" + name
        + (choice.qualifier.length > 0 ? ":" + choice.qualifier : "") + "\"");
    }
    if (status != 200 && status != 202 && status != 204) {
      return failAnswer(Failure.InvokeRefused, "the Invoke API refused the call (" + status.toString()
        + (errorType.length > 0 ? " " + errorType : "") + ")");
    }
    const functionError = headerValue(response, "x-amz-function-error");
    if (functionError.length > 0) {
      return failAnswer(Failure.FunctionError, "the function \"" + name + "\" failed (" + functionError + ")", [],
        <u32>options.functionErrorStatus);
    }
    const traced = this.traced(response);
    if (options.asynchronous) return relayAnswer(202, traced, new ArrayBuffer(0));
    if (this.config.responseStream) return streamedAnswer(body, traced, <u32>options.functionErrorStatus);
    if (!options.unwrapResponse) {
      traced.unshift(new Header("content-type", "application/json"));
      return relayAnswer(200, traced, body);
    }
    const unwrapped = unwrapFunctionResponse(body, options.eventFormat != EventFormat.ApiGatewayV1);
    if (unwrapped.error.length > 0) return failAnswer(Failure.BadResponse, unwrapped.error);
    for (let i = 0; i < traced.length; i++) unwrapped.headers.push(traced[i]);
    return relayAnswer(<u32>unwrapped.status, unwrapped.headers, unwrapped.body);
  }

  /** The headers Lambda's answer carries that the client sees too (request id, chosen qualifier). */
  traced(response: Array<Header>): Array<Header> {
    const traced = new Array<Header>();
    const requestIdHeader = relayable(response, "x-amzn-requestid");
    if (requestIdHeader.length > 0) traced.push(new Header("x-amzn-requestid", requestIdHeader));
    if (this.choice.weighted) traced.push(new Header(QUALIFIER_HEADER, this.choice.qualifier));
    return traced;
  }

  /** Proxy mode: Lambda's answer is read back (unwrapped, or decoded from the event stream) on its way. */
  proxyResponse(): ProxyResponse | null {
    return this.config.responseStream ? new StreamedResponse(this) : new BufferedResponse(this);
  }

  /** Only a passthrough payload is the body as it came; an event is hashed as it is written. */
  get sendsBodyAsIs(): bool {
    return this.options.eventFormat == EventFormat.Passthrough;
  }

  /** The request's body becomes the event: proxy mode must replace it. */
  get replacesBody(): bool {
    return true;
  }

  /** Throttling and service errors are repeated only for idempotent methods, up to max_retries. */
  mayRetry(request: ClientRequest, attempts: i32): bool {
    return attempts < this.options.maxRetries && request.isIdempotent;
  }
}
