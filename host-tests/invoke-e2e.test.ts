// Lambda functions invoked directly through the Invoke API, end to end on both host profiles: a loopback
// Invoke API verifies SigV4 for service lambda, checks function, qualifier and invocation type, and runs
// handlers written like real ones; the filter builds the event and unwraps the reply.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../emulator/index.ts";
import { InvokeApi, HandledError, RawPayload, serviceError, throttled } from "./support/invoke-api.ts";
import { echoEvent, failing, helloV2, plainJson, restV1, webAdapter } from "./support/lambda-handlers.ts";
import { PROFILES, configure, headerValues, json } from "./support/filter-host.ts";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const ACCESS_KEY = "AKIDINVOKE";
const SECRET_KEY = "invokeSecretKey/EXAMPLE+abc";
const LAMBDA_HOST = `lambda.${REGION}.amazonaws.com`;
const arn = (name: string, qualifier = "") => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier ? ":" + qualifier : ""}`;
const iam = { iam: { accesskey: ACCESS_KEY, secretkey: SECRET_KEY } };

const webApp = webAdapter((req) => ({
  status: req.method === "POST" ? 201 : 200,
  headers: [["content-type", req.path.endsWith(".png") ? "image/png" : "application/json"], ["set-cookie", "session=abc; HttpOnly"],
    ["set-cookie", "theme=dark"], ["x-app", "lwa"], ["vary", "accept"], ["vary", "origin"]],
  body: req.path.endsWith(".png") ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]) : Buffer.from(JSON.stringify({ path: req.path, query: req.query })),
}));

for (const profile of PROFILES) {
  describe(`${profile}: invoking Lambda functions directly`, () => {
    let api: InvokeApi;
    let host: Host;
    let failNext = 0;
    let failWith: () => any = () => throttled();
    before(async () => {
      api = await InvokeApi.start({
        region: REGION, accessKey: ACCESS_KEY, secretKey: SECRET_KEY,
        functions: { hello: helloV2, echo: echoEvent, plain: plainJson, rest: restV1, failing, web: webApp,
          handled: async () => { throw new HandledError("bad input"); },
          notJson: async () => new RawPayload(Buffer.from("<html>oops</html>")), orders: echoEvent, users: echoEvent },
        qualifiers: { hello: ["prod", "canary", "1"] },
        intercept: () => (failNext > 0 ? (failNext--, failWith()) : undefined),
      });
      host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "http", clusters: { [LAMBDA_HOST]: api.url }, resolve: () => api.url });
    });
    after(() => api.close());

    test("a full ARN with an alias calls the regional Invoke API, signed for lambda, and the v2 reply is unwrapped", async () => {
      const root = configure(host, { function_uri: arn("hello", "prod"), path_prefix: "/aws", authorization: iam });
      const reply = await host.request(root, { method: "GET", path: "/aws/greet?name=APISIX" });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.equal(reply.body.toString(), "Hello, APISIX!");
      // APISIX's nginx appends its charset to text types on the way out.
      assert.deepEqual(headerValues(reply.headers, "content-type"), [profile === "apisix" ? "text/plain; charset=utf-8" : "text/plain"]);
      const call = api.last;
      assert.deepEqual([call.functionName, call.qualifier, call.invocationType], ["hello", "prod", "RequestResponse"]);
      assert.equal(call.request.path, `/2015-03-31/functions/${encodeURIComponent(arn("hello"))}/invocations`);
      assert.deepEqual([call.request.signed!.service, call.request.signed!.region], ["lambda", REGION]);
      assert.deepEqual(headerValues(call.request.headers, "host"), [LAMBDA_HOST]);
      assert.ok(headerValues(reply.headers, "x-amzn-requestid")[0]?.startsWith("req-"));
    });

    test("the v2 event carries method, path after path_prefix, query, headers, cookies and a text body", async () => {
      const root = configure(host, { function_uri: arn("echo"), path_prefix: "/api", authorization: iam });
      const reply = await host.request(root, { method: "POST", path: "/api/orders/7?x=1&x=2&y=%C3%A9", headers: {
        "content-type": "application/json", cookie: "a=1; b=2", "x-custom": "yes", "user-agent": "curl/8", "x-forwarded-for": "203.0.113.7" },
        body: "{\"qty\":3}" });
      assert.equal(reply.status, 200, reply.body.toString());
      const event = api.last.event;
      assert.equal(event.version, "2.0");
      assert.equal(event.rawPath, "/orders/7");
      assert.equal(event.rawQueryString, "x=1&x=2&y=%C3%A9");
      assert.deepEqual(event.queryStringParameters, { x: "1,2", y: "é" });
      assert.deepEqual(event.cookies, ["a=1", "b=2"]);
      assert.equal(event.headers["x-custom"], "yes");
      assert.equal(event.headers.cookie, undefined);
      assert.equal(event.requestContext.http.method, "POST");
      assert.equal(event.requestContext.http.userAgent, "curl/8");
      assert.ok(event.requestContext.http.sourceIp.length > 0);
      assert.equal(event.requestContext.accountId, ACCOUNT);
      assert.equal(event.body, "{\"qty\":3}");
      assert.equal(event.isBase64Encoded, false);
      assert.deepEqual(JSON.parse(reply.body.toString()).rawPath, "/orders/7");
    });

    test("a binary body travels base64-encoded", async () => {
      const root = configure(host, { function_uri: arn("echo"), authorization: iam });
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      await host.request(root, { method: "PUT", path: "/bin", headers: { "content-type": "application/octet-stream" }, body: bytes });
      assert.equal(api.last.event.isBase64Encoded, true);
      assert.deepEqual(Buffer.from(api.last.event.body, "base64"), bytes);
    });

    test("payload v1.0 (REST API shape) with multiValue maps", async () => {
      const root = configure(host, { function_uri: arn("rest"), event_format: "api_gateway_v1", authorization: iam });
      const reply = await host.request(root, { method: "DELETE", path: "/items/3?tag=a&tag=b" });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.equal(reply.body.toString(), "DELETE /items/3");
      assert.deepEqual(headerValues(reply.headers, "x-seen"), ["a", "b"]);
      assert.deepEqual(api.last.event.multiValueQueryStringParameters, { tag: ["a", "b"] });
    });

    test("passthrough sends the raw body and relays the raw payload", async () => {
      const root = configure(host, { function_uri: arn("plain"), event_format: "passthrough", authorization: iam });
      const reply = await host.request(root, { method: "POST", path: "/", headers: { "content-type": "application/json" }, body: "{\"raw\":true}" });
      assert.equal(api.last.payload.toString(), "{\"raw\":true}");
      assert.equal(reply.status, 200);
      assert.deepEqual(JSON.parse(reply.body.toString()), { message: "plain", items: [1, 2, 3] });
    });

    test("a v2 reply that is plain JSON without statusCode is a 200 with that JSON", async () => {
      const root = configure(host, { function_uri: arn("plain"), authorization: iam });
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 200);
      assert.deepEqual(headerValues(reply.headers, "content-type"), ["application/json"]);
      assert.deepEqual(JSON.parse(reply.body.toString()), { message: "plain", items: [1, 2, 3] });
    });

    test("an AWS Lambda Web Adapter reply: cookies, repeated headers, status and a base64 binary body", async () => {
      const root = configure(host, { function_uri: arn("web"), authorization: iam });
      const created = await host.request(root, { method: "POST", path: "/things?debug=1", body: "{}", headers: { "content-type": "application/json" } });
      assert.equal(created.status, 201);
      assert.deepEqual(headerValues(created.headers, "set-cookie"), ["session=abc; HttpOnly", "theme=dark"]);
      assert.deepEqual(headerValues(created.headers, "vary"), ["accept", "origin"]);
      assert.deepEqual(JSON.parse(created.body.toString()), { path: "/things", query: "debug=1" });
      const image = await host.request(root, { path: "/logo.png" });
      assert.deepEqual([...image.body], [0x89, 0x50, 0x4e, 0x47, 0, 255]);
      assert.deepEqual(headerValues(image.headers, "content-type"), ["image/png"]);
    });

    test("an unparseable reply is a 502 with a clear body", async () => {
      const root = configure(host, { function_uri: arn("notJson"), authorization: iam });
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 502);
      assert.equal(json(reply).error, "aws_lambda_bad_response");
      assert.match(json(reply).message, /not JSON/);
    });

    test("a function error (Unhandled or Handled) becomes function_error_status, default 502, without the stack", async () => {
      const root = configure(host, { function_uri: arn("failing"), authorization: iam });
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 502);
      assert.equal(json(reply).error, "aws_lambda_function_error");
      assert.match(json(reply).message, /failed \(Unhandled\)/);
      assert.doesNotMatch(reply.body.toString(), /stackTrace|index\.mjs/);
      const custom = configure(host, { function_uri: arn("handled"), function_error_status: 500, authorization: iam });
      const handled = await host.request(custom, { path: "/" });
      assert.equal(handled.status, 500);
      assert.match(json(handled).message, /failed \(Handled\)/);
    });

    test("throttling is passed through as 429 with its Retry-After", async () => {
      const root = configure(host, { function_uri: arn("hello"), authorization: iam });
      failNext = 1; failWith = () => throttled("2");
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 429);
      assert.deepEqual(headerValues(reply.headers, "retry-after"), ["2"]);
      assert.equal(json(reply).error, "aws_lambda_throttled");
    });

    test("max_retries repeats throttled and failed GETs with backoff, and never a POST", async () => {
      const root = configure(host, { function_uri: arn("hello"), max_retries: 3, authorization: iam });
      const before = api.invocations.length;
      failNext = 2; failWith = () => throttled();
      const started = performance.now();
      const get = await host.request(root, { path: "/?name=retry" });
      // Envoy has ticks: the retries wait 50 then 100 ms. APISIX has none: they go out at once.
      if (profile === "envoy") assert.ok(performance.now() - started >= 140, "backoff between attempts");
      assert.equal(get.status, 200, get.body.toString());
      assert.equal(get.body.toString(), "Hello, retry!");
      assert.equal(api.invocations.length - before, 3);
      failNext = 1; failWith = serviceError;
      assert.equal((await host.request(root, { path: "/?name=again" })).status, 200);
      failNext = 1; failWith = () => throttled();
      const post = await host.request(root, { method: "POST", path: "/", body: "{}" });
      assert.equal(post.status, 429, "a POST may not be repeated");
      failNext = 0;
    });

    test("a Lambda service error without retries is a 502", async () => {
      const root = configure(host, { function_uri: arn("hello"), authorization: iam });
      failNext = 1; failWith = serviceError;
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 502);
      assert.equal(json(reply).error, "aws_lambda_service_error");
    });

    test("invocation_type Event answers 202 and the function still runs", async () => {
      const root = configure(host, { function_uri: arn("echo"), invocation_type: "Event", authorization: iam });
      const reply = await host.request(root, { method: "POST", path: "/jobs", headers: { "content-type": "application/json" }, body: "{\"job\":1}" });
      assert.equal(reply.status, 202);
      assert.equal(reply.body.length, 0);
      assert.equal(api.last.invocationType, "Event");
      await Promise.all(api.background);
      assert.equal(api.last.event.body, "{\"job\":1}");
    });

    test("allowed_functions: the path picks the function, only from the list", async () => {
      const root = configure(host, { function_uri: arn("default"), path_prefix: "/lambda", allowed_functions: ["orders", "users"], authorization: iam });
      const ok = await host.request(root, { path: "/lambda/users/42?full=1" });
      assert.equal(ok.status, 200, ok.body.toString());
      assert.equal(api.last.functionName, "users");
      assert.equal(api.last.event.rawPath, "/42");
      const before = api.invocations.length;
      const denied = await host.request(root, { path: "/lambda/hello/x" });
      assert.equal(denied.status, 404);
      assert.equal(json(denied).error, "aws_lambda_no_such_function");
      assert.equal(api.invocations.length, before, "no invocation for a function outside the list");
    });

    test("weighted qualifiers split traffic and the chosen one is shown in a header", async () => {
      const root = configure(host, { function_uri: arn("hello"), qualifiers: [{ name: "prod", weight: 3 }, { name: "canary", weight: 1 }], authorization: iam });
      const seen: Record<string, number> = {};
      for (let i = 0; i < 80; i++) {
        const reply = await host.request(root, { path: "/" });
        const qualifier = headerValues(reply.headers, "x-aws-lambda-qualifier")[0];
        assert.equal(qualifier, api.last.qualifier, "the header names the qualifier that was invoked");
        seen[qualifier] = (seen[qualifier] ?? 0) + 1;
      }
      assert.ok(seen.prod > seen.canary && seen.canary > 0, JSON.stringify(seen));
      if (profile === "envoy") {
        const metrics = host.getMetrics();
        assert.equal(metrics.get("aws_lambda.qualifier.prod.invocations_total")?.value, seen.prod);
        assert.equal(metrics.get("aws_lambda.qualifier.canary.invocations_total")?.value, seen.canary);
      }
    });

    test("a function or qualifier the Invoke API does not know is a 502 naming it", async () => {
      const root = configure(host, { function_uri: arn("hello", "nope"), authorization: iam });
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 502);
      assert.match(json(reply).message, /no function "hello:nope"/);
    });

    test("an ARN without IAM credentials is refused at configure time, saying why", async () => {
      const result = host.configure({ function_uri: arn("hello") });
      assert.equal(result.accepted, false);
      assert.match(host.getLogs(5).at(-1)!.message, /Lambda function ARN: the Invoke API needs "authorization.iam" credentials/);
    });
  });
}
