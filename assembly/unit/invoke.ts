// Unit-test entry for the Invoke API pieces: ARNs, events, reply unwrapping, targets, base64.
import { parseConfig } from "../config/config";
import { parseLambdaArn } from "../config/lambda-arn";
import { Header } from "../http/header";
import { eventV1 } from "../invoke/event-v1";
import { eventV2 } from "../invoke/event-v2";
import { chooseFunction } from "../invoke/function-choice";
import { RequestFacts } from "../invoke/request-facts";
import { unwrapFunctionResponse } from "../invoke/unwrap";
import { apiGatewayTime } from "../invoke/api-gateway-time";
import { base64Decode, base64Encode } from "../kernel/base64";
import { JsonWriter } from "../util/json-writer";
import { StreamedInvocation } from "../invoke/response-stream";
import { sha256Hex } from "../crypto/sha256";
import { scanJson } from "../kernel/json-scan";
import { isValidUtf8 } from "../kernel/utf8";
import { JsonKind, parseJson } from "../util/json-reader";
import { eventV1 as referenceEventV1 } from "./reference/event-v1";
import { eventV2 as referenceEventV2 } from "./reference/event-v2";

/** The ARN's parts as JSON, or {"error": …}. */
export function arn(text: string): string {
  const result = parseLambdaArn(text);
  const value = result.arn;
  const json = new JsonWriter().beginObject();
  if (value == null) return json.key("error").string(result.error).endObject().toString();
  return json.key("partition").string(value.partition).key("region").string(value.region).key("account").string(value.account)
    .key("name").string(value.name).key("qualifier").string(value.qualifier).endObject().toString();
}

/** The facts of a request described by its parts; headers as "name: value" lines. */
function factsOf(method: string, rawPath: string, rawQuery: string, headerLines: string, body: ArrayBuffer,
  sourceIp: string, epochMillis: i64): RequestFacts {
  const facts = new RequestFacts();
  facts.method = method;
  facts.rawPath = rawPath;
  facts.rawQuery = rawQuery;
  const lines = headerLines.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon > 0) facts.headers.push(new Header(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
  }
  facts.body = body;
  facts.sourceIp = sourceIp;
  facts.requestId = "req-1";
  facts.domainName = "api.example.com";
  facts.timeEpochMillis = epochMillis;
  facts.accountId = "123456789012";
  return facts;
}

/** The event for a request described by its parts (as text). */
export function event(version: i32, method: string, rawPath: string, rawQuery: string, headerLines: string,
  body: ArrayBuffer, sourceIp: string, epochMillis: i64): string {
  return String.UTF8.decode(eventBytes(version, method, rawPath, rawQuery, headerLines, body, sourceIp, epochMillis));
}

let lastEventHash = "";

/** The event's bytes as the filter sends them (written and hashed in one pass: see lastEventHashHex). */
export function eventBytes(version: i32, method: string, rawPath: string, rawQuery: string, headerLines: string,
  body: ArrayBuffer, sourceIp: string, epochMillis: i64): ArrayBuffer {
  const facts = factsOf(method, rawPath, rawQuery, headerLines, body, sourceIp, epochMillis);
  const json = new JsonWriter(64, true);
  if (version == 1) eventV1(facts, json);
  else eventV2(facts, json);
  const bytes = json.bytes();
  lastEventHash = json.payloadHash();
  return bytes;
}

/** The hash the writer computed while writing the last eventBytes, and SHA-256 of those bytes, "a b". */
export function lastEventHashes(bytes: ArrayBuffer): string {
  return lastEventHash + " " + sha256Hex(bytes);
}

/** The same event from the string writer the filter used before (reference/), UTF-8 encoded as it sent it. */
export function referenceEventBytes(version: i32, method: string, rawPath: string, rawQuery: string, headerLines: string,
  body: ArrayBuffer, sourceIp: string, epochMillis: i64): ArrayBuffer {
  const facts = factsOf(method, rawPath, rawQuery, headerLines, body, sourceIp, epochMillis);
  return String.UTF8.encode(version == 1 ? referenceEventV1(facts) : referenceEventV2(facts));
}

/** The unwrapped reply as JSON: status, headers, body (base64) or error. */
export function unwrap(payload: ArrayBuffer, anyJsonIsBody: bool): string {
  const response = unwrapFunctionResponse(payload, anyJsonIsBody);
  const json = new JsonWriter().beginObject();
  if (response.error.length > 0) return json.key("error").string(response.error).endObject().toString();
  json.key("status").integer(response.status).key("headers").beginArray();
  for (let i = 0; i < response.headers.length; i++) {
    json.beginArray().string(response.headers[i].name).string(response.headers[i].value).endArray();
  }
  return json.endArray().key("body").string(base64Encode(response.body)).endObject().toString();
}

/** The invoke target for `path` under a config, as JSON (or the config error). */
export function target(config: string, path: string, draw: u32): string {
  const result = parseConfig(config, new Map<string, string>());
  const parsed = result.config;
  const json = new JsonWriter().beginObject();
  if (parsed == null) return json.key("error").string(result.error).endObject().toString();
  const options = parsed.invoke;
  if (options == null) return json.key("error").string("not an ARN config").endObject().toString();
  const t = chooseFunction(options, path, draw);
  return json.key("functionName").string(t.functionName).key("qualifier").string(t.qualifier).key("weighted").bool(t.weighted)
    .key("path").string(t.query.length > 0 ? t.path + "?" + t.query : t.path).key("eventPath").string(t.eventPath).key("refusal").string(t.refusal)
    .key("host").string(parsed.functionUri.authority).key("upstream").string(parsed.upstream).endObject().toString();
}

export function encodeBase64(bytes: ArrayBuffer): string { return base64Encode(bytes); }

/** Decoded bytes, or null when the text is not base64. */
export function decodeBase64(text: string): ArrayBuffer | null { return base64Decode(text); }

export function gatewayTime(epochMillis: i64): string { return apiGatewayTime(epochMillis); }

// One streamed invocation decoded across calls, as proxy mode decodes InvokeWithResponseStream's chunks.
let streamed = new StreamedInvocation();

/** Starts a new streamed invocation. */
export function streamReset(): void { streamed = new StreamedInvocation(); }

function streamState(body: ArrayBuffer): string {
  const prelude = streamed.prelude;
  const json = new JsonWriter().beginObject().key("body").string(base64Encode(body)).key("streamError").string(streamed.streamError)
    .key("completed").bool(streamed.completed).key("functionError").string(streamed.functionError)
    .key("prelude").integer(<i64>prelude.state).key("status").integer(prelude.prelude.status)
    .key("preludeError").string(prelude.prelude.error).key("headers").beginArray();
  for (let i = 0; i < prelude.prelude.headers.length; i++) {
    json.beginArray().string(prelude.prelude.headers[i].name).string(prelude.prelude.headers[i].value).endArray();
  }
  return json.endArray().endObject().toString();
}

/** Feeds event-stream bytes; returns the body released now and the state, as JSON. */
export function streamPush(bytes: ArrayBuffer): string { return streamState(streamed.push(bytes)); }

/** Ends the stream; returns the body held back and the state, as JSON. */
export function streamFinish(): string { return streamState(streamed.finish()); }

/** The scan's verdict on a UTF-8 document: -1 not JSON, 0 JSON without a top-level `key`, 1 with it. */
export function scanDocument(bytes: ArrayBuffer, maxDepth: i32, key: string): i32 {
  if (!isValidUtf8(bytes)) return -2;
  return scanJson(changetype<usize>(bytes), <usize>bytes.byteLength, maxDepth, key);
}

/** The same verdict from the full reader (parseJson over the decoded text). */
export function parseDocument(bytes: ArrayBuffer, maxDepth: i32, key: string): i32 {
  if (!isValidUtf8(bytes)) return -2;
  const value = parseJson(String.UTF8.decode(bytes), maxDepth).value;
  if (value == null) return -1;
  return value.kind == JsonKind.Object && value.get(key) != null ? 1 : 0;
}
