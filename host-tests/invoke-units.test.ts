// Invoke API building blocks as pure functions: ARNs, the API Gateway v2/v1 events, reply unwrapping,
// function and qualifier selection, base64.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";

let unit: any;
before(async () => { unit = await loadUnit("invoke"); });
const buf = (s: string | Buffer) => { const b = Buffer.from(s); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const AT = Date.UTC(2020, 2, 12, 19, 3, 58, 390);

describe("Lambda ARNs", () => {
  test("a full ARN with an alias qualifier", () => {
    assert.deepEqual(JSON.parse(unit.arn("arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod")),
      { partition: "aws", region: "us-east-1", account: "123456789012", name: "my-fn", qualifier: "prod" });
  });
  test("a partial ARN leaves the region to config", () => {
    assert.deepEqual(JSON.parse(unit.arn("123456789012:function:my-fn")),
      { partition: "aws", region: "", account: "123456789012", name: "my-fn", qualifier: "" });
  });
  test("version, $LATEST and other partitions", () => {
    assert.equal(JSON.parse(unit.arn("arn:aws:lambda:eu-west-1:123456789012:function:f:7")).qualifier, "7");
    assert.equal(JSON.parse(unit.arn("arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST")).qualifier, "$LATEST");
    assert.equal(JSON.parse(unit.arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f")).partition, "aws-cn");
  });
  test("malformed ARNs are refused with the rule", () => {
    for (const [text, rule] of [
      ["arn:aws:s3:::bucket", /not a Lambda function ARN/],
      ["arn:aws:lambda:us-east-1:12345:function:f", /account id/],
      ["arn:aws:lambda:us-east-1:123456789012:function:bad name", /function name/],
      ["arn:aws:lambda:us-east-1:123456789012:function:f:a.b", /qualifier/],
      ["arn:evil:lambda:us-east-1:123456789012:function:f", /partition/],
      ["arn:aws:lambda:us-east-1:123456789012:function:f:q:extra", /not a Lambda function ARN/],
    ] as const) assert.match(JSON.parse(unit.arn(text)).error, rule, text);
  });
});

describe("API Gateway payload v2.0 event", () => {
  const v2 = (headers: string, body = "", query = "a=1&b=2&a=3") =>
    JSON.parse(unit.event(2, "POST", "/orders/7", query, headers, buf(body), "203.0.113.9", BigInt(AT)));

  test("has the fields Lambda Web Adapter and the frameworks read", () => {
    const e = v2("content-type: application/json\nuser-agent: curl/8\nx-multi: a\nx-multi: b", "{\"k\":1}");
    assert.equal(e.version, "2.0");
    assert.equal(e.routeKey, "$default");
    assert.equal(e.rawPath, "/orders/7");
    assert.equal(e.rawQueryString, "a=1&b=2&a=3");
    assert.deepEqual(e.queryStringParameters, { a: "1,3", b: "2" });
    assert.deepEqual(e.headers, { "content-type": "application/json", "user-agent": "curl/8", "x-multi": "a,b" });
    assert.deepEqual(e.requestContext.http, { method: "POST", path: "/orders/7", protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "curl/8" });
    assert.equal(e.requestContext.time, "12/Mar/2020:19:03:58 +0000");
    assert.equal(e.requestContext.timeEpoch, AT);
    assert.equal(e.requestContext.accountId, "123456789012");
    assert.equal(e.body, "{\"k\":1}");
    assert.equal(e.isBase64Encoded, false);
  });

  test("cookies move out of the Cookie header into cookies", () => {
    const e = v2("cookie: a=1; b=2\ncookie: c=3");
    assert.deepEqual(e.cookies, ["a=1", "b=2", "c=3"]);
    assert.equal(e.headers.cookie, undefined);
  });

  test("a binary or untyped body is base64-encoded", () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const e = JSON.parse(unit.event(2, "PUT", "/", "", "content-type: application/octet-stream", buf(bytes), "", 0n));
    assert.equal(e.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(e.body, "base64"), bytes);
    assert.equal(JSON.parse(unit.event(2, "PUT", "/", "", "", buf("plain"), "", 0n)).isBase64Encoded, true);
    const invalidUtf8 = JSON.parse(unit.event(2, "PUT", "/", "", "content-type: text/plain", buf(Buffer.from([0xc3, 0x28])), "", 0n));
    assert.equal(invalidUtf8.isBase64Encoded, true);
  });

  test("no query means no queryStringParameters and an empty rawQueryString", () => {
    const e = v2("", "", "");
    assert.equal(e.rawQueryString, "");
    assert.equal(e.queryStringParameters, undefined);
    assert.equal(e.body, undefined);
  });

  test("query values are percent-decoded; names and values keep '+' and stray '%'", () => {
    assert.deepEqual(v2("", "", "q=caf%C3%A9&x=a+b&y=100%&z").queryStringParameters, { q: "café", x: "a+b", y: "100%", z: "" });
  });

  test("strings with quotes, control characters and lone surrogates stay valid JSON", () => {
    const text = unit.event(2, "GET", "/\"q\"", "", "x-h: a\"b\\c\u0001", buf(""), "", 0n);
    assert.equal(JSON.parse(text).headers["x-h"], "a\"b\\c\u0001");
  });
});

describe("API Gateway payload v1.0 event", () => {
  test("has single- and multi-value maps and a null body when empty", () => {
    const e = JSON.parse(unit.event(1, "GET", "/p", "a=1&a=2", "x-m: 1\nx-m: 2", buf(""), "198.51.100.1", BigInt(AT)));
    assert.equal(e.httpMethod, "GET");
    assert.equal(e.path, "/p");
    assert.equal(e.resource, "/{proxy+}");
    assert.deepEqual(e.headers, { "x-m": "2" });
    assert.deepEqual(e.multiValueHeaders, { "x-m": ["1", "2"] });
    assert.deepEqual(e.queryStringParameters, { a: "2" });
    assert.deepEqual(e.multiValueQueryStringParameters, { a: ["1", "2"] });
    assert.equal(e.body, null);
    assert.equal(e.requestContext.identity.sourceIp, "198.51.100.1");
    assert.equal(e.requestContext.requestTimeEpoch, AT);
  });
  test("no query gives null maps, as API Gateway sends", () => {
    const e = JSON.parse(unit.event(1, "GET", "/", "", "", buf(""), "", 0n));
    assert.equal(e.queryStringParameters, null);
    assert.equal(e.multiValueQueryStringParameters, null);
  });
});

describe("unwrapping proxy-integration replies", () => {
  const unwrap = (reply: unknown, v2 = true) => JSON.parse(unit.unwrap(buf(typeof reply === "string" ? reply : JSON.stringify(reply)), v2));
  const body = (r: any) => Buffer.from(r.body, "base64").toString();

  test("statusCode, headers, multiValueHeaders, cookies and body", () => {
    const r = unwrap({ statusCode: 201, headers: { "X-One": "1", "x-both": "single" }, multiValueHeaders: { "x-both": ["m1", "m2"] },
      cookies: ["a=1; Path=/", "b=2"], body: "created" });
    assert.equal(r.status, 201);
    assert.deepEqual(r.headers, [["x-both", "m1"], ["x-both", "m2"], ["x-one", "1"], ["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2"]]);
    assert.equal(body(r), "created");
  });
  test("a base64 body is decoded", () => {
    const r = unwrap({ statusCode: 200, body: Buffer.from([1, 2, 250]).toString("base64"), isBase64Encoded: true });
    assert.deepEqual([...Buffer.from(r.body, "base64")], [1, 2, 250]);
  });
  test("payload v2.0: JSON without statusCode is a 200 application/json body, as API Gateway does", () => {
    const r = unwrap({ hello: "world" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, [["content-type", "application/json"]]);
    assert.equal(body(r), '{"hello":"world"}');
    assert.equal(body(unwrap("\"Hello, APISIX!\"")), "\"Hello, APISIX!\"");
  });
  test("payload v1.0: a reply without statusCode is refused", () => {
    assert.match(unwrap({ hello: "world" }, false).error, /no statusCode/);
  });
  test("unparseable and malformed replies are refused with the reason", () => {
    assert.match(unwrap("not json").error, /not JSON/);
    assert.match(unwrap({ statusCode: 700 }).error, /not an HTTP status/);
    assert.match(unwrap({ statusCode: "200" }).error, /not an HTTP status/);
    assert.match(unwrap({ statusCode: 200, headers: { a: { b: 1 } } }).error, /headers\.a is not a string/);
    assert.match(unwrap({ statusCode: 200, body: "***", isBase64Encoded: true }).error, /not valid base64/);
    assert.match(unwrap({ statusCode: 200, body: 5 }).error, /body is not a string/);
  });
  test("hop-by-hop headers and header injection from the function are dropped", () => {
    const r = unwrap({ statusCode: 200, headers: { connection: "close", "transfer-encoding": "chunked", "x-ok": "1", "x-bad": "a\r\nset-cookie: evil" } });
    assert.deepEqual(r.headers, [["x-ok", "1"]]);
  });
});

describe("function and qualifier selection", () => {
  const base = { function_uri: "arn:aws:lambda:eu-west-1:123456789012:function:default-fn", authorization: { iam: { accesskey: "A", secretkey: "S" } } };
  const target = (extra: object, path: string, draw = 0) => JSON.parse(unit.target(JSON.stringify({ ...base, ...extra }), path, draw));

  test("the Invoke API path names the function ARN, percent-encoded, with the ARN's qualifier", () => {
    const t = JSON.parse(unit.target(JSON.stringify({ ...base, function_uri: base.function_uri + ":prod" }), "/x", 0));
    assert.equal(t.path, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Adefault-fn/invocations?Qualifier=prod");
    assert.equal(t.host, "lambda.eu-west-1.amazonaws.com");
    assert.equal(t.upstream, "lambda.eu-west-1.amazonaws.com");
    assert.equal(t.eventPath, "/x");
  });
  test("allowed_functions: the first path segment picks the function, the rest is the event's path", () => {
    const t = target({ allowed_functions: ["orders", "users"] }, "/orders/42/items");
    assert.equal(t.functionName, "orders");
    assert.equal(t.eventPath, "/42/items");
    assert.match(t.path, /function%3Aorders\/invocations$/);
  });
  test("allowed_functions: a function not on the list, or none, is refused", () => {
    assert.match(target({ allowed_functions: ["orders"] }, "/billing/1").refusal, /no function "billing"/);
    assert.match(target({ allowed_functions: ["orders"] }, "/").refusal, /names no function/);
  });
  test("weighted qualifiers split draws in proportion to their weights", () => {
    const extra = { qualifiers: [{ name: "prod", weight: 90 }, { name: "canary", weight: 10 }] };
    const counts: Record<string, number> = { prod: 0, canary: 0 };
    for (let i = 0; i < 1000; i++) counts[target(extra, "/", Math.floor(((i + 0.5) / 1000) * 2 ** 32)).qualifier]++;
    assert.deepEqual(counts, { prod: 900, canary: 100 });
    assert.equal(target(extra, "/").weighted, true);
  });
  test("a partial ARN takes its region from aws_region", () => {
    const t = JSON.parse(unit.target(JSON.stringify({ function_uri: "123456789012:function:f",
      authorization: { iam: { accesskey: "A", secretkey: "S", aws_region: "ap-south-1" } } }), "/", 0));
    assert.equal(t.host, "lambda.ap-south-1.amazonaws.com");
  });
});

describe("Invoke API config validation", () => {
  const error = (config: object) => JSON.parse(unit.target(JSON.stringify(config), "/", 0)).error;
  const arnUri = "arn:aws:lambda:us-east-1:123456789012:function:f";
  const iam = { iam: { accesskey: "A", secretkey: "S" } };
  test("IAM credentials are required, and said so", () => {
    assert.match(error({ function_uri: arnUri }), /Lambda function ARN: the Invoke API needs "authorization.iam" credentials/);
    assert.match(error({ function_uri: arnUri, authorization: { apikey: "k" } }), /needs "authorization.iam"/);
  });
  test("options are checked with the property named", () => {
    assert.equal(error({ function_uri: arnUri, authorization: iam, event_format: "v3" }),
      'property "event_format" validation failed: expected one of "api_gateway_v2", "api_gateway_v1", "passthrough"');
    assert.equal(error({ function_uri: arnUri, authorization: iam, invocation_type: "DryRun" }),
      'property "invocation_type" validation failed: expected one of "RequestResponse", "Event"');
    assert.equal(error({ function_uri: arnUri, authorization: iam, max_retries: 9 }),
      'property "max_retries" validation failed: expected 9 to be at most 5');
    assert.equal(error({ function_uri: arnUri, authorization: iam, qualifiers: [{ name: "a", weight: 1 }, { weight: 2 }] }),
      'property "qualifiers" validation failed: item 1 validation failed: property "name" is required');
    assert.match(error({ function_uri: arnUri + ":prod", authorization: iam, qualifiers: [{ name: "a" }] }), /already names qualifier "prod"/);
    assert.match(error({ function_uri: arnUri, authorization: iam, allowed_functions: ["ok", "not ok"] }), /item 1 is not a function name/);
    assert.match(error({ function_uri: arnUri, authorization: { iam: { ...iam.iam, aws_region: "eu-west-1" } } }), /in region "us-east-1" but authorization.iam.aws_region is "eu-west-1"/);
  });
  test("Invoke API options are refused on a URL function_uri", () => {
    assert.equal(JSON.parse(unit.target(JSON.stringify({ function_uri: "https://x.example.com", event_format: "passthrough" }), "/", 0)).error,
      'property "event_format" validation failed: only applies when function_uri is a Lambda function ARN');
  });
});

describe("base64 and API Gateway time", () => {
  test("base64 round-trips every length and rejects garbage", () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 255));
      const text = unit.encodeBase64(buf(bytes));
      assert.equal(text, bytes.toString("base64"));
      assert.deepEqual(Buffer.from(unit.decodeBase64(text)), bytes);
    }
    assert.equal(unit.decodeBase64("ab$c"), null);
    assert.equal(unit.decodeBase64("a"), null);
    assert.equal(unit.decodeBase64("ab=c"), null);
  });
  test("requestContext.time is the CLF timestamp", () => {
    assert.equal(unit.gatewayTime(BigInt(Date.UTC(2024, 1, 29, 0, 0, 1))), "29/Feb/2024:00:00:01 +0000");
  });
});

describe("Invoke API partitions and weight bounds", () => {
  test("a partial ARN in a China region calls the .com.cn endpoint", () => {
    const t = JSON.parse(unit.target(JSON.stringify({ function_uri: "123456789012:function:f",
      authorization: { iam: { accesskey: "A", secretkey: "S", aws_region: "cn-north-1" } } }), "/", 0));
    assert.equal(t.host, "lambda.cn-north-1.amazonaws.com.cn");
    assert.match(t.path, /arn%3Aaws-cn%3Alambda%3Acn-north-1%3A/);
  });
  test("qualifier lists and weights are bounded so their sum cannot overflow", () => {
    const config = (qualifiers: object[]) => JSON.stringify({ function_uri: "arn:aws:lambda:us-east-1:123456789012:function:f",
      authorization: { iam: { accesskey: "A", secretkey: "S" } }, qualifiers });
    assert.match(JSON.parse(unit.target(config(Array.from({ length: 65 }, (_, i) => ({ name: `q${i}` }))), "/", 0)).error, /at most 64 items/);
    assert.match(JSON.parse(unit.target(config([{ name: "a", weight: 2 ** 31 }]), "/", 0)).error, /to be at most 1000000/);
    const many = JSON.parse(unit.target(config(Array.from({ length: 64 }, (_, i) => ({ name: `q${i}`, weight: 1000000 }))), "/", 2 ** 32 - 1));
    assert.equal(many.qualifier, "q63");
  });
});
