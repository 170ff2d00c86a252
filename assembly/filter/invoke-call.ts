// A request to a Lambda function through the Invoke API: the event (or the raw body) as payload, the
// function and qualifier for this request, and how the Invoke API's answer becomes the client's reply.
import { getPropertyText } from "../abi/host";
import { LogLevel } from "../abi/types";
import { realtimeMillis, randomU32 } from "../abi/wasi";
import { Config } from "../config/config";
import { EventFormat, InvokeOptions } from "../config/invoke-options";
import { Header, headerValue } from "../http/header";
import { forwardedRequestHeaders, hasUnsafeValue, Replaced } from "../http/forwarding";
import { eventV1 } from "../invoke/event-v1";
import { eventV2 } from "../invoke/event-v2";
import { InvokeTarget, invokeTarget } from "../invoke/invoke-target";
import { RequestFacts } from "../invoke/request-facts";
import { unwrapFunctionResponse } from "../invoke/unwrap";
import { Answer, failAnswer, relayAnswer, retryableAnswer } from "./answer";
import { countQualifier, Failure } from "./metrics";

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

export class InvokeCall {
  target: InvokeTarget;
  payload: ArrayBuffer = new ArrayBuffer(0);
  private counted: bool = false;

  constructor(public options: InvokeOptions, path: string) {
    this.target = invokeTarget(options, path, randomU32());
  }

  /** Builds the payload from the client request; "" when it fits Lambda's limit, else why not. */
  preparePayload(clientHeaders: Array<Header>, method: string, rawQuery: string, body: ArrayBuffer): string {
    const options = this.options;
    if (options.eventFormat == EventFormat.Passthrough) {
      this.payload = body;
    } else {
      const facts = new RequestFacts();
      facts.method = method;
      facts.rawPath = this.target.eventPath;
      facts.rawQuery = rawQuery;
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
      this.payload = String.UTF8.encode(options.eventFormat == EventFormat.ApiGatewayV1 ? eventV1(facts) : eventV2(facts));
    }
    const limit = options.asynchronous ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    if (this.payload.byteLength > limit) {
      return "the invocation payload is " + this.payload.byteLength.toString() + " bytes, over Lambda's "
        + limit.toString() + "-byte limit";
    }
    return "";
  }

  /** Headers of one Invoke API call (signing adds its own). */
  headers(config: Config): Array<Header> {
    const headers: Array<Header> = [
      new Header(":method", "POST"),
      new Header(":path", this.target.path),
      new Header(":authority", config.functionUri.authority),
      new Header(":scheme", "https"),
      new Header("content-type", "application/json"),
      new Header("x-amz-invocation-type", this.options.asynchronous ? "Event" : "RequestResponse"),
    ];
    // Counted once per request, not per retry.
    if (this.target.weighted && !this.counted) countQualifier(this.target.qualifier);
    this.counted = true;
    return headers;
  }

  /** Reads the Invoke API's answer (status, headers, body) into the client's reply. */
  readResponse(status: u32, response: Array<Header>, body: ArrayBuffer): Answer {
    const options = this.options;
    const name = this.target.functionName;
    const errorType = headerValue(response, "x-amzn-errortype");
    if (status == 429) {
      const retryAfter = relayable(response, "retry-after");
      return retryableAnswer(Failure.Throttled, 429, "Lambda throttled the invocation of \"" + name + "\"",
        "aws_lambda_throttled", retryAfter.length > 0 ? [new Header("retry-after", retryAfter)] : []);
    }
    if (status >= 500) {
      return retryableAnswer(Failure.LambdaServiceError, 502, "the Lambda service failed (" + status.toString()
        + (errorType.length > 0 ? " " + errorType : "") + ")", "aws_lambda_service_error");
    }
    if (status == 404) {
      return failAnswer(Failure.NoSuchFunction, 502, LogLevel.Error, "the Invoke API has no function \"" + name
        + (this.target.qualifier.length > 0 ? ":" + this.target.qualifier : "") + "\"", "aws_lambda_no_such_function");
    }
    if (status >= 300 || (status != 200 && status != 202 && status != 204)) {
      return failAnswer(Failure.InvokeRefused, 502, LogLevel.Error, "the Invoke API refused the call (" + status.toString()
        + (errorType.length > 0 ? " " + errorType : "") + ")", "aws_lambda_invoke_refused");
    }
    const functionError = headerValue(response, "x-amz-function-error");
    if (functionError.length > 0) {
      return failAnswer(Failure.FunctionError, <u32>options.functionErrorStatus, LogLevel.Warn, "the function \"" + name
        + "\" failed (" + functionError + ")", "aws_lambda_function_error");
    }
    const traced = new Array<Header>();
    const requestIdHeader = relayable(response, "x-amzn-requestid");
    if (requestIdHeader.length > 0) traced.push(new Header("x-amzn-requestid", requestIdHeader));
    if (this.target.weighted) traced.push(new Header(QUALIFIER_HEADER, this.target.qualifier));
    if (options.asynchronous) return relayAnswer(202, traced, new ArrayBuffer(0));
    if (!options.unwrapResponse) {
      traced.unshift(new Header("content-type", "application/json"));
      return relayAnswer(200, traced, body);
    }
    const unwrapped = unwrapFunctionResponse(body, options.eventFormat != EventFormat.ApiGatewayV1);
    if (unwrapped.error.length > 0) {
      return failAnswer(Failure.BadResponse, 502, LogLevel.Error, unwrapped.error, "aws_lambda_bad_response");
    }
    for (let i = 0; i < traced.length; i++) unwrapped.headers.push(traced[i]);
    return relayAnswer(<u32>unwrapped.status, unwrapped.headers, unwrapped.body);
  }
}
