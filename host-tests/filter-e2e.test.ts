// The filter end to end on both host profiles, callouts over real HTTP to a loopback endpoint:
// the APISIX docs' seed examples, forwarding rules, replies, failures, and config changes.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Host, WasmResult } from "../emulator/index.ts";
import { AwsEndpoint, echo, hello } from "./support/aws-endpoint.ts";
import { PROFILES, SEED_HOST, configure, filterHost, headerValues, json } from "./support/filter-host.ts";

const API_KEY = "apikey-7f3c9a";

for (const profile of PROFILES) {
  describe(`${profile}: the APISIX docs' seed examples`, () => {
    let endpoint: AwsEndpoint;
    before(async () => { endpoint = await AwsEndpoint.start({ apiKey: API_KEY, handler: hello }); });
    after(() => endpoint.close());

    test("GET /aws?name=APISIX with an API key answers \"Hello, APISIX!\"", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: `https://${SEED_HOST}/default/test-apisix`,
        authorization: { apikey: API_KEY }, ssl_verify: false });
      const reply = await host.request(root, { method: "GET", path: "/aws?name=APISIX" });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), "\"Hello, APISIX!\"");
      assert.deepEqual(headerValues(reply.headers, "content-type"), ["application/json"]);
      assert.equal(endpoint.last.url, "/default/test-apisix?name=APISIX");
      assert.deepEqual(headerValues(endpoint.last.headers, "host"), [SEED_HOST]);
      assert.deepEqual(headerValues(endpoint.last.headers, "x-api-key"), [API_KEY]);
    });

    test("path forwarding: /aws/default/test-apisix?name=APISIX goes to /default/test-apisix?name=APISIX", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: `https://${SEED_HOST}`, path_prefix: "/aws", authorization: { apikey: API_KEY } });
      const reply = await host.request(root, { method: "GET", path: "/aws/default/test-apisix?name=APISIX" });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), "\"Hello, APISIX!\"");
      assert.equal(endpoint.last.url, "/default/test-apisix?name=APISIX");
    });
  });

  describe(`${profile}: what is forwarded`, () => {
    let endpoint: AwsEndpoint;
    before(async () => { endpoint = await AwsEndpoint.start({ handler: echo }); });
    after(() => endpoint.close());
    const fn = () => `http://${endpoint.authority}/stage/fn`;

    test("method, query and body reach the function unchanged", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn(), path_prefix: "/aws" });
      const body = Buffer.from(JSON.stringify({ name: "body", bytes: [...Array(300).keys()] }));
      const reply = await host.request(root, { method: "PUT", path: "/aws/items/42?x=1&y=%20z",
        headers: { "content-type": "application/json", "content-length": String(body.length) }, body });
      assert.equal(reply.status, 200);
      const seen = json(reply);
      assert.equal(seen.method, "PUT");
      assert.equal(seen.path, "/stage/fn/items/42");
      assert.equal(seen.query, "x=1&y=%20z");
      assert.deepEqual(Buffer.from(seen.body, "base64"), body);
      assert.deepEqual(headerValues(seen.headers, "content-type"), ["application/json"]);
    });

    test("a body sent in many chunks arrives whole", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn() });
      const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
      const reply = await host.request(root, { method: "POST", path: "/x", chunks });
      assert.equal(reply.status, 200);
      assert.deepEqual(Buffer.from(json(reply).body, "base64"), Buffer.concat(chunks));
    });

    test("hop-by-hop and framing headers stay behind; other client headers travel in order", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn() });
      const reply = await host.request(root, { method: "GET", path: "/", headers: [
        ["x-first", "1"], ["connection", "x-hop-listed"], ["x-hop-listed", "drop"], ["keep-alive", "timeout=5"],
        ["te", "trailers"], ["upgrade", "websocket"], ["proxy-authorization", "Basic eA=="], ["user-agent", "curl/8"],
        ["x-multi", "a"], ["x-multi", "b"], ["x-last", "2"],
      ] });
      // What the filter put on the callout (the host's HTTP client adds its own connection header on the wire).
      const sent = reply.callout!.headers.map(([k]) => k);
      for (const gone of ["connection", "x-hop-listed", "keep-alive", "te", "upgrade", "proxy-authorization", "transfer-encoding"]) {
        assert.ok(!sent.includes(gone), `${gone} was forwarded`);
      }
      const order = ["x-first", "user-agent", "x-multi", "x-multi", "x-last"];
      const kept = (list: string[]) => list.filter((n) => order.includes(n));
      assert.deepEqual(kept(sent), order, "the filter keeps the client's order");
      const wire = kept(json(reply).headers.map(([k]: [string, string]) => k));
      // On the wire: Envoy keeps that order; APISIX's Lua table hands them to lua-resty-http in its own.
      assert.deepEqual(profile === "envoy" ? wire : [...wire].sort(), profile === "envoy" ? order : [...order].sort());
      assert.deepEqual(headerValues(json(reply).headers, "host"), [endpoint.authority]);
    });

    test("a configured API key replaces the client's x-api-key", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn(), authorization: { apikey: "configured" } });
      const reply = await host.request(root, { path: "/", headers: { "x-api-key": "from-client" } });
      assert.deepEqual(headerValues(json(reply).headers, "x-api-key"), ["configured"]);
    });

    test("with no authorization configured, the client's authorization and x-api-key pass through untouched", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn() });
      const reply = await host.request(root, { path: "/", headers: { authorization: "Bearer client", "x-api-key": "client-key" } });
      assert.deepEqual(headerValues(json(reply).headers, "authorization"), ["Bearer client"]);
      assert.deepEqual(headerValues(json(reply).headers, "x-api-key"), ["client-key"]);
    });

    test("function_uri's own query is kept and the client's appended", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: fn() + "?stage=blue" });
      await host.request(root, { path: "/any?name=x" });
      assert.equal(endpoint.last.url, "/stage/fn?stage=blue&name=x");
    });
  });

  describe(`${profile}: the reply`, () => {
    test("the function's status, headers and body come back, minus hop-by-hop headers", async () => {
      const endpoint = await AwsEndpoint.start({ handler: () => ({ status: 201,
        headers: { "x-fn": "yes", "set-cookie": ["a=1", "b=2"], "keep-alive": "timeout=9", "content-type": "text/plain" },
        body: "created" }) });
      try {
        const host = await filterHost(profile, endpoint);
        const root = configure(host, { function_uri: endpoint.url });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 201);
        assert.equal(reply.body.toString(), "created");
        assert.deepEqual(headerValues(reply.headers, "x-fn"), ["yes"]);
        assert.deepEqual(headerValues(reply.headers, "set-cookie"), ["a=1", "b=2"]);
        assert.deepEqual(headerValues(reply.headers, "keep-alive"), []);
        // APISIX's nginx appends its charset to text types on the way out.
        assert.deepEqual(headerValues(reply.headers, "content-type"), [profile === "apisix" ? "text/plain; charset=utf-8" : "text/plain"]);
      } finally { await endpoint.close(); }
    });

    test("an error status from the function is passed through with its body", async () => {
      const endpoint = await AwsEndpoint.start({ apiKey: "right" });
      try {
        const host = await filterHost(profile, endpoint);
        const root = configure(host, { function_uri: endpoint.url, authorization: { apikey: "wrong" } });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 403);
        assert.deepEqual(json(reply), { message: "Forbidden" });
      } finally { await endpoint.close(); }
    });
  });

  describe(`${profile}: refusals before any callout`, () => {
    let endpoint: AwsEndpoint;
    before(async () => { endpoint = await AwsEndpoint.start({ handler: echo }); });
    after(() => endpoint.close());

    test("a content-length over max_req_body_size is answered 413 from the headers alone, before any body", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: endpoint.url, max_req_body_size: 1000 });
      const stream = host.newStream(root);
      // The body is never delivered: on Envoy the headers come with end_of_stream false and no body callback
      // follows; on APISIX the body would only come if the filter asked for it (wasm_process_req_body).
      host.callOnRequestHeaders(stream, [[":method", "POST"], [":path", "/"], [":authority", "localhost"], [":scheme", "http"],
        ["content-length", "1001"]], false);
      const reply = host.getLocalResponse(stream);
      assert.equal(reply?.status, 413, "no reply from the headers alone");
      assert.equal(JSON.parse(reply!.body.toString()).error, "aws_lambda_body_too_large");
      assert.notEqual(host.getStreamProperty(stream, "wasm_process_req_body"), "on", "the filter asked for the body");
      assert.equal(host.getCallouts().length, 0, "no callout was made");
    });

    test("a body over max_req_body_size without content-length is answered 413 as it arrives", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: endpoint.url, max_req_body_size: 1000 });
      const before = endpoint.received.length;
      const chunked = await host.request(root, { method: "POST", path: "/", chunks: [Buffer.alloc(600), Buffer.alloc(600)] });
      assert.equal(chunked.status, 413);
      assert.equal(endpoint.received.length, before, "no callout was made");
      const fits = await host.request(root, { method: "POST", path: "/", body: Buffer.alloc(1000) });
      assert.equal(fits.status, 200);
    });

    test("a path that climbs above function_uri's path is answered 400", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: endpoint.url + "/base", path_prefix: "/aws" });
      for (const path of ["/aws/../secret", "/aws/%2e%2e/secret", "/aws/a%2fb"]) {
        const reply = await host.request(root, { path });
        assert.equal(reply.status, 400, path);
        assert.equal(json(reply).error, "aws_lambda_bad_path");
      }
    });

    test("a path outside path_prefix is answered 404", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: endpoint.url, path_prefix: "/aws" });
      const reply = await host.request(root, { path: "/awsome" });
      assert.equal(reply.status, 404);
      assert.match(json(reply).message, /outside path_prefix/);
    });
  });

  describe(`${profile}: callout failures`, () => {
    test("a callout the host refuses is answered 500 naming the upstream", async () => {
      const host = await filterHost(profile, null, { upstreams: [] });
      const root = configure(host, { function_uri: "https://nowhere.invalid/fn" });
      // Envoy refuses an unknown cluster; APISIX refuses no host[:port], so there a refusing host stands in.
      if (profile === "apisix") host.failHostCall("proxy_http_call", WasmResult.BadArgument);
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 500);
      assert.equal(json(reply).error, "aws_lambda_callout_refused");
      assert.match(json(reply).message, /upstream "nowhere\.invalid"/);
      assert.equal(host.getLogs().filter((l) => /refused the callout/.test(l.message)).length, 1);
    });

    if (profile === "apisix") {
      test("an upstream that does not resolve is dispatched, then answered 503 (APISIX resolves only when it calls)", async () => {
        const host = await filterHost(profile, null, { unresolvable: ["nowhere.invalid"] });
        const root = configure(host, { function_uri: "https://nowhere.invalid/fn" });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 503);
        assert.equal(json(reply).error, "aws_lambda_callout_failed");
        assert.match(json(reply).message, /upstream "nowhere\.invalid" failed without a response/);
      });
    }

    test("a connection reset before any response is answered 503", async () => {
      const server = createServer((req) => req.socket.destroy());
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "http", clusters: { [authority]: `http://${authority}` } });
        const root = configure(host, { function_uri: `http://${authority}/fn` });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 503);
        // Envoy reports a reset before headers as its own 503 response (passed through); APISIX as no response.
        if (profile === "apisix") assert.equal(json(reply).error, "aws_lambda_callout_failed");
        else assert.match(reply.body.toString(), /upstream connect error or disconnect\/reset before headers/);
      } finally { server.close(); }
    });

    test("a function slower than timeout is answered 504", async () => {
      const endpoint = await AwsEndpoint.start({ handler: () => new Promise((r) => setTimeout(() => r({ body: "late" }), 600)) });
      try {
        const host = await filterHost(profile, endpoint);
        const root = configure(host, { function_uri: endpoint.url, timeout: 150 });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 504);
        // Envoy answers a callout timeout itself (passed through); APISIX reports no response and the filter answers.
        if (profile === "apisix") assert.equal(json(reply).error, "aws_lambda_callout_timeout");
        else assert.match(reply.body.toString(), /upstream request timeout/);
      } finally { await endpoint.close(); }
    });

    test("a response without a valid :status is answered 502", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture" });
      const root = configure(host, { function_uri: "http://127.0.0.1:9/fn" });
      const reply = await host.request(root, { path: "/" }, { answer: () => ({ headers: [[":status", "2x0"]], body: "x" }) });
      assert.equal(reply.status, 502);
      assert.equal(json(reply).error, "aws_lambda_bad_response");
    });
  });

  describe(`${profile}: configuration`, () => {
    test("bad config is refused at configure time with one critical line naming the property", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true });
      const root = host.configure({ function_uri: "https://example.com/fn", timeout: 50 });
      assert.equal(root.accepted, false);
      const critical = host.getLogs(5);
      assert.equal(critical.length, 1);
      assert.equal(critical[0].message, 'aws-lambda: configuration refused: property "timeout" validation failed: expected 50 to be at least 100');
    });

    test("the filter answers to any root id", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, pluginRootId: "whatever-name-" + Math.random().toString(36).slice(2) });
      assert.equal(host.configure({ function_uri: "https://example.com/fn" }).accepted, true);
    });

    test("several root contexts with different configs serve side by side in one VM", async () => {
      const a = await AwsEndpoint.start({ handler: () => ({ body: "from a" }) });
      const b = await AwsEndpoint.start({ handler: () => ({ body: "from b" }) });
      try {
        const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "http",
          clusters: { [a.authority]: a.url, [b.authority]: b.url } });
        const rootA = configure(host, { function_uri: a.url });
        const rootB = configure(host, { function_uri: b.url });
        assert.equal((await host.request(rootA, { path: "/" })).body.toString(), "from a");
        assert.equal((await host.request(rootB, { path: "/" })).body.toString(), "from b");
        assert.equal((await host.request(rootA, { path: "/" })).body.toString(), "from a");
      } finally { await a.close(); await b.close(); }
    });

    test("a request in flight finishes under the config it started with", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture" });
      const oldRoot = configure(host, { function_uri: "https://old.example.com/v1" });
      const pending = await host.request(oldRoot, { path: "/" }, { keepStream: true });
      assert.ok(pending.stalled, "the callout is still pending");
      const newRoot = configure(host, { function_uri: "https://new.example.com/v2" });
      const [callout] = host.getPendingCallouts();
      assert.deepEqual(headerValues(callout.headers, ":authority"), ["old.example.com"]);
      host.callOnHttpCallResponse(callout.rootId, callout.token, { headers: [[":status", "200"]], body: "old answer" });
      assert.equal(host.getLocalResponse(pending.streamId)?.body.toString(), "old answer");
      const fresh = await host.request(newRoot, { path: "/" }, { answer: (c) => ({ headers: [[":status", "200"]], body: headerValues(c.headers, ":authority")[0] }) });
      assert.equal(fresh.body.toString(), "new.example.com");
    });

    // Root contexts, not routes: on APISIX the route that took the refused conf answers 503 instead
    // (emulator-apisix-requests.test.ts), but no other root is touched.
    test("a refused config changes nothing: the previous root keeps serving", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture" });
      const good = configure(host, { function_uri: "https://good.example.com/" });
      assert.equal(host.configure({ function_uri: "https://bad.example.com/", authorization: { iam: { accesskey: "A" } } }).accepted, false);
      const reply = await host.request(good, { path: "/" }, { answer: (c) => ({ headers: [[":status", "200"]], body: headerValues(c.headers, ":authority")[0] }) });
      assert.equal(reply.body.toString(), "good.example.com");
    });
  });

  describe(`${profile}: late and stray callout answers`, () => {
    test("an answer for a request that is gone is dropped without a reply or a trap", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture" });
      const root = configure(host, { function_uri: "https://example.com/" });
      const pending = await host.request(root, { path: "/" }, { keepStream: true });
      const [callout] = host.getPendingCallouts();
      host.callOnDone(pending.streamId);
      host.callOnDelete(pending.streamId);
      host.callOnHttpCallResponse(callout.rootId, callout.token, { headers: [[":status", "200"]], body: "late" });
      assert.equal(host.failed, false);
      assert.equal(host.getLocalResponse(pending.streamId), undefined);
      assert.equal((await host.request(root, { path: "/" }, { answer: () => ({ headers: [[":status", "204"]] }) })).status, 204);
    });

    test("an answer carrying a token the filter never issued is dropped", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture" });
      const root = configure(host, { function_uri: "https://example.com/" });
      host.callOnHttpCallResponse(root, 987654, { headers: [[":status", "200"]], body: "stray" });
      assert.equal(host.failed, false);
      assert.equal((await host.request(root, { path: "/" }, { answer: () => ({ headers: [[":status", "200"]], body: "ok" }) })).body.toString(), "ok");
    });
  });
}

describe("envoy: observability", () => {
  test("each failure is logged once with method and path, and counted", async () => {
    const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: true, callouts: "capture" });
    const root = configure(host, { function_uri: "https://example.com/", path_prefix: "/aws", max_req_body_size: 10 });
    await host.request(root, { method: "POST", path: "/aws/x?token=secret", body: "01234567890" });
    await host.request(root, { method: "GET", path: "/aws/y" }, { answer: () => null });
    await host.request(root, { method: "GET", path: "/aws/z" }, { answer: () => ({ headers: [[":status", "200"]] }) });
    const errors = host.getLogs(2).filter((l) => l.message.startsWith("aws-lambda: POST") || l.message.startsWith("aws-lambda: GET"));
    assert.deepEqual(errors.map((l) => l.message), [
      "aws-lambda: POST /aws/x: request body is larger than max_req_body_size (10 bytes) (413)",
      'aws-lambda: GET /aws/y: the callout to upstream "example.com" failed without a response (503)',
    ]);
    const metrics = host.getMetrics();
    assert.equal(metrics.get("aws_lambda.requests_total")?.value, 3);
    assert.equal(metrics.get("aws_lambda.callouts_total")?.value, 2);
    assert.equal(metrics.get("aws_lambda.body_too_large_total")?.value, 1);
    assert.equal(metrics.get("aws_lambda.callout_failed_total")?.value, 1);
    assert.equal(metrics.get("aws_lambda.replies_2xx_total")?.value, 1);
    assert.equal(metrics.get("aws_lambda.replies_4xx_total")?.value, 1);
    assert.equal(metrics.get("aws_lambda.replies_5xx_total")?.value, 1);
    assert.equal(metrics.get("aws_lambda.callout_duration_ms")?.samples?.length, 2);
  });
});
