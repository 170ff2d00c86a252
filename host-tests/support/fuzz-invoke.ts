// Generators for the Invoke API mode (function_uri is a Lambda ARN): configurations with every option,
// and hostile Invoke API answers — function replies that are broken proxy-integration responses, random
// JSON, invalid base64 or UTF-8, throttling and errors with hostile headers.
import fc from "fast-check";
import type { CalloutAnswer, Pairs } from "../../emulator/index.ts";
import { SECRETS, type ModelledConfig } from "./fuzz-configs.ts";
import { RAW_MARKERS } from "./fuzz-host.ts";

/** Invoke API configurations (always signed, service lambda) and the model of their callouts. */
export const invokeConfig: fc.Arbitrary<ModelledConfig & { maxRetries: number }> = fc.record({
  region: fc.constantFrom("us-west-2", "eu-central-1", "cn-north-1"),
  partial: fc.boolean(),
  name: fc.constantFrom("my-fn", "fn_1", "a".repeat(64)),
  qualifier: fc.option(fc.constantFrom("$LATEST", "7", "live"), { nil: undefined }),
  prefix: fc.constantFrom(undefined, "/aws", "/"),
  options: fc.record({
    event_format: fc.constantFrom("api_gateway_v2", "api_gateway_v1", "passthrough"),
    unwrap_response: fc.boolean(),
    invocation_type: fc.constantFrom("RequestResponse", "Event"),
    function_error_status: fc.integer({ min: 400, max: 599 }),
    // Envoy retries after a real backoff (50 ms and up): keep retries to a few cases.
    max_retries: fc.oneof({ weight: 31, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
    allowed_functions: fc.constantFrom(["fn-a", "fn_b"], ["x"]),
  }, { requiredKeys: [] }),
  weighted: fc.boolean(),
  token: fc.boolean(),
}).map((r) => {
  // A partial ARN in a cn-* region takes the aws-cn partition and its .com.cn endpoint.
  const partition = r.region.startsWith("cn-") && !r.partial ? "aws-cn" : "aws";
  const arn = (r.partial ? `123456789012:function:${r.name}` : `arn:${partition}:lambda:${r.region}:123456789012:function:${r.name}`)
    + (r.qualifier !== undefined && !r.weighted ? `:${r.qualifier}` : "");
  const iam: Record<string, unknown> = { accesskey: SECRETS.accessKey, secretkey: SECRETS.secretKey, aws_region: r.region, service: "lambda" };
  if (r.token) iam.session_token = SECRETS.sessionToken;
  const json: Record<string, unknown> = { function_uri: arn, authorization: { iam }, ...r.options };
  if (r.prefix !== undefined) json.path_prefix = r.prefix;
  if (r.weighted) json.qualifiers = [{ name: "blue", weight: 3 }, { name: "green", weight: 1 }, { name: "off", weight: 0 }];
  const authority = `lambda.${r.region}.amazonaws.com${r.region.startsWith("cn-") ? ".cn" : ""}`;
  return {
    json, maxRetries: r.options.max_retries ?? 0,
    model: { scheme: "https", authority, upstream: authority, basePath: "/2015-03-31/functions", prefix: r.prefix === "/" ? "" : r.prefix,
      maxBody: 67108864, iam: { accessKey: SECRETS.accessKey, secretKey: SECRETS.secretKey, ...(r.token ? { sessionToken: SECRETS.sessionToken } : {}) } },
  };
});

const hostileText = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("a\r\nx-evil: 1", "\u0000", "é", "\ud800", RAW_MARKERS[2], ""));
const headerValue = fc.oneof(hostileText, fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant(["x"]));
const headerName = fc.constantFrom("content-type", "Set-Cookie", "connection", "transfer-encoding", "x-fn", "a b", "x\r\ny", "", ":status", "X-Upper");

/** A function reply as a proxy-integration response, broken in every way API Gateway would notice. */
const proxyReply: fc.Arbitrary<unknown> = fc.record({
  // "1e400" becomes the bare number below (JSON.stringify cannot write it).
  statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom(0, 99, 600, 200.5, -0, "1e400", "200", null, true)),
  headers: fc.oneof(fc.dictionary(headerName, headerValue, { maxKeys: 5 }), fc.constantFrom(null, [], "x", 1)),
  multiValueHeaders: fc.oneof(fc.dictionary(headerName, fc.oneof(fc.array(headerValue, { maxLength: 3 }), headerValue), { maxKeys: 4 }), fc.constantFrom(null, [])),
  cookies: fc.oneof(fc.array(hostileText, { maxLength: 3 }), fc.constantFrom(null, "a=1", [1])),
  body: fc.oneof(hostileText, fc.constantFrom(null, 5, {}, "aGVsbG8=", "aGVsbG8", "a=b=", "!!!!", "aGVs bG8=\n", "=")),
  isBase64Encoded: fc.oneof(fc.boolean(), fc.constantFrom(null, "true", 1)),
}, { requiredKeys: [] }).map((reply) => JSON.stringify(reply).replace(/"1e400"/g, "1e400"));

/** The Invoke API's answer body: a proxy reply, any JSON, or not JSON at all. */
const replyBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: proxyReply as fc.Arbitrary<string> },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.constantFrom("", "not json", "{\"statusCode\":200", "[".repeat(300) + "]".repeat(300),
    "{\"statusCode\":200,\"body\":\"" + "\\n".repeat(50000) + "\"}", "{\"statusCode\":200,\"statusCode\":201}",
    `{"statusCode":200,"body":"${RAW_MARKERS[0]}"}`, `{"statusCode":200,"headers":{${Array.from({ length: 3000 }, (_, i) => `"h${i}":"v"`).join(",")}}}`) },
);

const invokeHeaders: fc.Arbitrary<Pairs> = fc.array(fc.tuple(
  fc.constantFrom("retry-after", "x-amz-function-error", "x-amzn-errortype", "x-amzn-requestid", "x-amz-executed-version", "connection"),
  fc.oneof(fc.constantFrom("Unhandled", "Handled", "5", "ResourceNotFoundException", "é", RAW_MARKERS[2], "1\r\nset-cookie: x=1"),
    fc.string({ maxLength: 10 }))), { maxLength: 4 });

/** An Invoke API answer: mostly 200 with a function reply, sometimes an error status, sometimes nothing. */
export const invokeAnswerArb: fc.Arbitrary<CalloutAnswer | null> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(replyBody, invokeHeaders).map(([body, headers]): CalloutAnswer => ({ headers: [[":status", "200"], ...headers], body })) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(202, 204, 400, 403, 404, 413, 429, 500, 502, 503, 301), invokeHeaders, fc.string({ maxLength: 40 }))
    .map(([status, headers, body]): CalloutAnswer => ({ headers: [[":status", String(status)], ...headers], body })) },
  { weight: 1, arbitrary: fc.constant(null) },
);
