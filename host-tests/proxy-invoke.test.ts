// The Invoke API in proxy mode: on Envoy the client's request becomes the signed Invoke call in place (the
// event replaces the body, with its own content-length) and Lambda's buffered answer is read back on its
// way — unwrapped, function errors, throttling, no retries — within Envoy's buffer limit; a bodiless request
// goes by callout, since Envoy cannot give a request a body. APISIX refuses the combination at configure
// time, naming the host's limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Host } from "../emulator/index.ts";
import { configure, headerValues, json } from "./support/filter-host.ts";
import { HandledError, InvokeApi, RawPayload, throttled } from "./support/invoke-api.ts";
import { echoEvent, helloV2 } from "./support/lambda-handlers.ts";
import { KEYS, proxyHost } from "./support/proxy-host.ts";

const INVOKE_HOST = "lambda.us-east-1.amazonaws.com";
const ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders";
let api: InvokeApi;
let throttle = false;

before(async () => {
  api = await InvokeApi.start({
    region: "us-east-1", accessKey: KEYS.accesskey, secretKey: KEYS.secretkey,
    functions: {
      orders: echoEvent, hello: helloV2,
      fails: () => { throw new HandledError("out of stock"); },
      big: () => new RawPayload(Buffer.from(JSON.stringify({ statusCode: 200, body: "x".repeat(2 * 1024 * 1024) }))),
    },
    intercept: () => (throttle ? throttled("2") : undefined),
  });
});
after(() => api.close());

const config = (extra: object = {}) => ({ function_uri: ARN, mode: "proxy", path_prefix: "/api", authorization: { iam: { ...KEYS } }, ...extra });
const post = (path = "/api/orders/7", body = "{\"qty\":2}") => ({ method: "POST", path, body, headers: { "content-type": "application/json" } });

describe("envoy: the Invoke API in proxy mode", () => {
  test("the event replaces the body in place (its own content-length), the call is signed, the answer unwrapped", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, config());
    const r = await host.request(root, post());
    assert.equal(r.status, 200, r.body.toString());
    const event = json(r);
    assert.equal(event.rawPath, "/orders/7");
    assert.equal(event.requestContext.http.method, "POST");
    assert.equal(event.body, "{\"qty\":2}");
    const sent = api.last.request;
    assert.equal(sent.path, `/2015-03-31/functions/${encodeURIComponent(ARN)}/invocations`);
    assert.ok(sent.signed);
    assert.deepEqual(headerValues(sent.headers, "content-length"), [String(sent.body.length)]);
    assert.deepEqual(headerValues(r.headers, "content-type"), ["application/json"]);
    assert.deepEqual(headerValues(r.headers, "content-length"), [String(r.body.length)]);
    assert.equal(host.getCallouts().length, 0);
  });

  test("a function error is the filter's 502 aws_lambda_function_error, its message only in the log", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, config({ function_uri: ARN.replace("orders", "fails") }));
    const r = await host.request(root, post("/api/x"));
    assert.equal(r.status, 502);
    assert.equal(json(r).error, "aws_lambda_function_error");
    assert.doesNotMatch(r.body.toString(), /out of stock/);
  });

  test("throttling is answered 429 with Retry-After after the one attempt the route carried", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, config());
    const before = api.invocations.length;
    throttle = true;
    const r = await host.request(root, { ...post(), method: "PUT" });
    throttle = false;
    assert.equal(r.status, 429);
    assert.equal(json(r).error, "aws_lambda_throttled");
    assert.deepEqual(headerValues(r.headers, "retry-after"), ["2"]);
    assert.equal(api.invocations.length - before, 1);
  });

  test("max_retries (and upstream, timeout) are refused in proxy mode", async () => {
    const host = await Host.load({ profile: "envoy" });
    for (const extra of [{ max_retries: 2 }, { upstream: "lambda" }, { timeout: 5000 }]) {
      assert.equal(host.configure(config(extra)).accepted, false, JSON.stringify(extra));
    }
    assert.ok(host.getLogs().some((l) => /"max_retries" .*does not apply in proxy mode/.test(l.message)), host.getLogs().map((l) => l.message).join(" | "));
  });

  test("a bodiless GET goes by callout to the same cluster, answered as in callout mode", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, config({ function_uri: ARN.replace("orders", "hello") }));
    const r = await host.request(root, { method: "GET", path: "/api/x?name=proxy" });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), "Hello, proxy!");
    assert.equal(host.getCallouts().length, 1);
    assert.equal(host.getCallouts()[0].upstream, INVOKE_HOST);
  });

  test("an asynchronous invocation is answered 202", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, config({ invocation_type: "Event" }));
    const r = await host.request(root, post());
    assert.equal(r.status, 202);
    assert.equal(r.body.length, 0);
  });

  test("an answer larger than Envoy's buffer limit (1 MiB by default) is Envoy's 500; a raised limit lets it through", async () => {
    const small = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(small, config({ function_uri: ARN.replace("orders", "big") }));
    const refused = await small.request(root, post("/api/x"));
    assert.equal(refused.status, 500);
    assert.equal(refused.details, "response_payload_too_large");
    const raised = await proxyHost("envoy", INVOKE_HOST, api, { bufferLimitBytes: 8 * 1024 * 1024 });
    const ok = await raised.request(configure(raised, config({ function_uri: ARN.replace("orders", "big") })), post("/api/x"));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.length, 2 * 1024 * 1024);
  });

  test("the host's own failure (no connection to the Invoke API) passes through as Envoy's 503, not as a Lambda error", async () => {
    const host = await proxyHost("envoy", INVOKE_HOST, { url: "http://127.0.0.1:9" });
    const root = configure(host, config());
    const r = await host.request(root, post());
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /^upstream connect error/);
    assert.equal(host.getMetrics().get("aws_lambda.callout_failed_total")?.value, 1);
  });
});

describe("apisix: the Invoke API in proxy mode is refused at configure time", () => {
  for (const extra of [{}, { response_stream: true }]) {
    test(`mode proxy with an ARN${"response_stream" in extra ? " and response_stream" : ""}: refused, naming the host's limit`, async () => {
      const host = await Host.load({ profile: "apisix" });
      assert.equal(host.configure(config(extra)).accepted, false);
      const line = host.getLogs().map((l) => l.message).find((m) => m.includes("configuration refused")) ?? "";
      assert.match(line, /property "mode" validation failed: "proxy" with a Lambda function ARN/);
      assert.match(line, /proxy_set_buffer_bytes with Unimplemented/);
    });
  }
});
