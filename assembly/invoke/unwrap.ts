// Reading a function's reply as API Gateway does with a proxy integration (Gloo's unwrapAsApiGateway,
// Kong's is_proxy_integration): {statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded}.
// Payload v2.0 also takes any other JSON as a 200 application/json body.
import { JsonKind, JsonValue, parseJson } from "../util/json-reader";
import { Header } from "../http/header";
import { forwardedResponseHeaders } from "../http/forwarding";
import { base64Decode } from "../kernel/base64";
import { isValidUtf8 } from "../kernel/utf8";
import { scanJson, SCAN_WITHOUT_KEY } from "../kernel/json-scan";
import { asciiLower } from "../kernel/ascii";

/** Function replies nest deeper than configs; still bounded so a hostile reply cannot exhaust the stack. */
const MAX_REPLY_DEPTH = 256;

export class FunctionResponse {
  status: i32 = 200;
  headers: Array<Header> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
  /** Why the reply could not be read; "" when it was. */
  error: string = "";
}

function invalid(reason: string): FunctionResponse {
  const response = new FunctionResponse();
  response.error = reason;
  return response;
}

/** A header value as API Gateway accepts it: strings, and numbers or booleans written as JSON. */
function headerText(value: JsonValue): string | null {
  if (value.kind == JsonKind.String) return value.text;
  if (value.kind == JsonKind.Number) return value.text;
  if (value.kind == JsonKind.Bool) return value.bool ? "true" : "false";
  return null;
}

function readHeaders(reply: JsonValue, response: FunctionResponse): string {
  const multi = reply.get("multiValueHeaders");
  const multiNames = new Set<string>();
  if (multi != null && multi.kind == JsonKind.Object) {
    for (let i = 0; i < multi.keys.length; i++) {
      const name = asciiLower(multi.keys[i]);
      const values = multi.items[i];
      if (values.kind != JsonKind.Array) return "multiValueHeaders." + multi.keys[i] + " is not an array";
      multiNames.add(name);
      for (let k = 0; k < values.items.length; k++) {
        const text = headerText(values.items[k]);
        if (text == null) return "multiValueHeaders." + multi.keys[i] + " has a value that is not a string";
        response.headers.push(new Header(name, text));
      }
    }
  } else if (multi != null && multi.kind != JsonKind.Null) return "multiValueHeaders is not an object";
  const single = reply.get("headers");
  if (single != null && single.kind == JsonKind.Object) {
    for (let i = 0; i < single.keys.length; i++) {
      const name = asciiLower(single.keys[i]);
      if (multiNames.has(name)) continue; // multiValueHeaders win, as in API Gateway
      const text = headerText(single.items[i]);
      if (text == null) return "headers." + single.keys[i] + " is not a string";
      response.headers.push(new Header(name, text));
    }
  } else if (single != null && single.kind != JsonKind.Null) return "headers is not an object";
  const cookies = reply.get("cookies");
  if (cookies != null && cookies.kind == JsonKind.Array) {
    for (let i = 0; i < cookies.items.length; i++) {
      if (cookies.items[i].kind != JsonKind.String) return "cookies has a value that is not a string";
      response.headers.push(new Header("set-cookie", cookies.items[i].text));
    }
  } else if (cookies != null && cookies.kind != JsonKind.Null) return "cookies is not an array";
  return "";
}

function readBody(reply: JsonValue, response: FunctionResponse): string {
  const body = reply.get("body");
  if (body == null || body.kind == JsonKind.Null) return "";
  if (body.kind != JsonKind.String) return "body is not a string";
  const encoded = reply.get("isBase64Encoded");
  if (encoded != null && encoded.kind == JsonKind.Bool && encoded.bool) {
    const bytes = base64Decode(body.text);
    if (bytes == null) return "body is not valid base64 although isBase64Encoded is true";
    response.body = bytes;
  } else {
    response.body = String.UTF8.encode(body.text);
  }
  return "";
}

/** Payload v2.0's reply for JSON without statusCode: a 200 application/json of that JSON. */
function jsonBody(payload: ArrayBuffer): FunctionResponse {
  const response = new FunctionResponse();
  response.headers.push(new Header("content-type", "application/json"));
  response.body = payload;
  return response;
}

/** Unwraps a proxy-integration reply; `anyJsonIsBody` is payload v2.0's rule for replies without statusCode. */
export function unwrapFunctionResponse(payload: ArrayBuffer, anyJsonIsBody: bool): FunctionResponse {
  if (!isValidUtf8(payload)) return invalid("the function's reply is not UTF-8 JSON");
  // v2: valid JSON without a top-level statusCode is the body as it is; a scan that builds nothing tells,
  // and only a reply with statusCode (or a defect, to be named) is read whole.
  if (anyJsonIsBody && scanJson(changetype<usize>(payload), <usize>payload.byteLength, MAX_REPLY_DEPTH, "statusCode") == SCAN_WITHOUT_KEY) {
    return jsonBody(payload);
  }
  const parsed = parseJson(String.UTF8.decode(payload), MAX_REPLY_DEPTH);
  const reply = parsed.value;
  if (reply == null) return invalid("the function's reply is not JSON: " + parsed.error);
  const statusCode = reply.kind == JsonKind.Object ? reply.get("statusCode") : null;
  if (statusCode == null) {
    if (!anyJsonIsBody) return invalid("the function's reply has no statusCode (a proxy-integration response is expected)");
    return jsonBody(payload);
  }
  if (!statusCode.isInteger() || statusCode.number < 100 || statusCode.number > 599) {
    return invalid("the function's statusCode is not an HTTP status (100-599)");
  }
  const response = new FunctionResponse();
  response.status = <i32>statusCode.number;
  let problem = readHeaders(reply, response);
  if (problem.length == 0) problem = readBody(reply, response);
  if (problem.length > 0) return invalid("the function's reply is malformed: " + problem);
  response.headers = forwardedResponseHeaders(response.headers);
  return response;
}

/**
 * The HTTP integration prelude of a streaming function (awslambda.HttpResponseStream.from): JSON with
 * statusCode (default 200), headers and cookies; the body follows it in the stream.
 */
export function readPrelude(json: ArrayBuffer): FunctionResponse {
  if (!isValidUtf8(json)) return invalid("the function's response prelude is not UTF-8 JSON");
  const parsed = parseJson(String.UTF8.decode(json), MAX_REPLY_DEPTH);
  const prelude = parsed.value;
  if (prelude == null || prelude.kind != JsonKind.Object) return invalid("the function's response prelude is not a JSON object");
  const response = new FunctionResponse();
  const statusCode = prelude.get("statusCode");
  if (statusCode != null) {
    if (!statusCode.isInteger() || statusCode.number < 100 || statusCode.number > 599) {
      return invalid("the function's prelude statusCode is not an HTTP status (100-599)");
    }
    response.status = <i32>statusCode.number;
  }
  const problem = readHeaders(prelude, response);
  if (problem.length > 0) return invalid("the function's response prelude is malformed: " + problem);
  response.headers = forwardedResponseHeaders(response.headers);
  return response;
}
