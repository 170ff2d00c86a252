// Proxy mode with URL targets, end to end on both profiles: the request signed in place and carried by the
// host's route to a loopback endpoint that verifies SigV4 like AWS (GET, POST with a body, unicode paths,
// queries from the client and from function_uri), the API key, the headers the hosts add after the filter
// left unsigned; the response streaming through untouched — 20 MB with the VM's memory flat, the first
// chunk at the client before the upstream sends the last; refusals before forwarding; upstream failures as
// the host's own answers, counted; credentials fetched during a proxied request.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Profile } from "../emulator/index.ts";
import { AwsEndpoint, echo, type Handler } from "./support/aws-endpoint.ts";
import { CredentialRig, errorLines } from "./support/credential-rig.ts";
import { configure, headerValues, json, PROFILES } from "./support/filter-host.ts";
import { FUNCTION_URL_HOST, IAM, KEYS, proxyHost } from "./support/proxy-host.ts";

let endpoint: AwsEndpoint;
let handler: Handler = echo;
before(async () => {
  endpoint = await AwsEndpoint.start({ iam: { [KEYS.accesskey]: { secretKey: KEYS.secretkey } }, region: "us-east-1", service: "lambda",
    handler: (r) => handler(r) });
});
after(() => endpoint.close());

const config = (extra: object = {}) => ({
  function_uri: `https://${FUNCTION_URL_HOST}/base?fixed=1`, path_prefix: "/aws", mode: "proxy", authorization: IAM, ...extra,
});

/** Headers the hosts add after the filter ran (never signed, or AWS would refuse what they change). */
const HOST_ADDED = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "x-request-id",
  "x-envoy-expected-rq-timeout-ms", "content-length", "transfer-encoding", "connection"];

for (const profile of PROFILES) {
  describe(`${profile}: URL targets in proxy mode`, () => {
    const load = (options = {}) => proxyHost(profile as Profile, FUNCTION_URL_HOST, endpoint, options);

    test("a GET is signed in place: AWS's check passes at the route's upstream, host-added headers unsigned, no callout", async () => {
      const host = await load();
      const root = configure(host, config());
      const r = await host.request(root, { method: "GET", path: "/aws/items?b=2&a=1", headers: { "x-client": "1" } });
      assert.equal(r.status, 200, r.body.toString());
      const got = endpoint.last;
      assert.ok(got.signed, "the endpoint verified the signature");
      assert.equal(got.url, "/base/items?fixed=1&b=2&a=1");
      assert.deepEqual(got.headers[0], ["host", FUNCTION_URL_HOST]);
      for (const name of HOST_ADDED) assert.ok(!got.signed!.signedHeaders.includes(name), `${name} is signed`);
      assert.ok(got.headers.some(([k]) => k === (profile === "envoy" ? "x-envoy-expected-rq-timeout-ms" : "x-real-ip")));
      assert.equal(host.getCallouts().length, 0);
      assert.equal(json(r).headers.find(([k]: [string, string]) => k === "x-client")?.[1], "1");
      if (profile === "envoy") {
        // :scheme follows the function (https), for an HTTP/2 upstream; the client's was http.
        const kept = await host.request(root, { path: "/aws/x" }, { keepStream: true });
        assert.deepEqual(headerValues(host.getRequestHeaders(kept.streamId), ":scheme"), ["https"]);
      }
    });

    test("a POST with a body: the payload hash is signed and the body arrives as the client sent it", async () => {
      const host = await load();
      const root = configure(host, config());
      const body = JSON.stringify({ name: "proxy", pad: "é".repeat(3000) });
      const r = await host.request(root, { method: "POST", path: "/aws/orders", chunks: [body.slice(0, 100), body.slice(100)],
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } });
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(endpoint.last.body.toString(), body);
      assert.ok(endpoint.last.signed!.signedHeaders.includes("content-type"));
    });

    test("unicode paths, percent-encoded by the client, are signed as sent", async () => {
      const host = await load();
      const root = configure(host, config());
      const r = await host.request(root, { path: "/aws/caf%C3%A9/%E2%9C%93/%F0%9F%98%80?q=%C3%BC&x=a%20b" });
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(endpoint.last.url, "/base/caf%C3%A9/%E2%9C%93/%F0%9F%98%80?fixed=1&q=%C3%BC&x=a%20b");
      assert.ok(endpoint.last.signed);
    });

    test("the API key replaces the client's, and a key-only config forwards no signature", async () => {
      const keyed = await AwsEndpoint.start({ apiKey: "k-123", handler: echo });
      const host = await proxyHost(profile as Profile, FUNCTION_URL_HOST, keyed);
      const root = configure(host, config({ authorization: { apikey: "k-123" } }));
      const r = await host.request(root, { path: "/aws/x", headers: { "x-api-key": "client-key", authorization: "Bearer t" } });
      await keyed.close();
      assert.equal(r.status, 200, r.body.toString());
      assert.deepEqual(headerValues(keyed.last.headers, "x-api-key"), ["k-123"]);
      assert.deepEqual(headerValues(keyed.last.headers, "authorization"), ["Bearer t"]);
    });

    test("a 20 MB response streams through with the VM's linear memory growing by less than 1 MB", async () => {
      const piece = Buffer.alloc(64 * 1024, 0x61);
      handler = () => ({ headers: { "content-type": "application/octet-stream" }, stream: async (write) => {
        for (let i = 0; i < 320; i++) await write(piece);
      } });
      const host = await load();
      const root = configure(host, config());
      await host.request(root, { path: "/aws/warm" });
      const before = host.memoryBytes();
      let size = 0;
      const r = await host.request(root, { path: "/aws/big" }, { client: { head() {}, chunk: (b) => (size += b.length), end() {}, abort() {} } });
      handler = echo;
      assert.equal(r.status, 200);
      assert.equal(size, 20 * 1024 * 1024);
      assert.equal(r.body.length, 20 * 1024 * 1024);
      assert.ok(host.memoryBytes() - before < 1024 * 1024, `memory grew from ${before} to ${host.memoryBytes()}`);
    });

    test("streaming, not buffering: the client has the first chunk before the upstream sends the last", async () => {
      let first!: () => void;
      const arrived = new Promise<void>((resolve) => (first = resolve));
      let beforeLast: boolean | undefined;
      handler = () => ({ headers: { "content-type": "text/event-stream" }, stream: async (write) => {
        await write("data: 1\n\n");
        beforeLast = await Promise.race([arrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
        await write("data: 2\n\n");
      } });
      const host = await load();
      const root = configure(host, config());
      const r = await host.request(root, { path: "/aws/events" }, { client: { head() {}, chunk: () => first(), end() {}, abort() {} } });
      handler = echo;
      assert.equal(beforeLast, true);
      assert.equal(r.body.toString(), "data: 1\n\ndata: 2\n\n");
      assert.ok(r.proxied!.chunks[0].at < r.proxied!.upstreamChunks.at(-1)!.at);
    });

    test("a request refused before forwarding still gets the filter's JSON reply, and nothing goes upstream", async () => {
      const host = await load();
      const root = configure(host, config({ max_req_body_size: 10 }));
      const seen = endpoint.received.length;
      const bad = await host.request(root, { path: "/aws/../etc" });
      assert.equal(bad.status, 400);
      assert.equal(json(bad).error, "aws_lambda_bad_path");
      const big = await host.request(root, { method: "POST", path: "/aws/x", body: "01234567890" });
      assert.equal(big.status, 413);
      assert.equal(endpoint.received.length, seen);
    });

    test("an upstream that cannot be reached is the host's own answer, passed through, logged and counted", async () => {
      const host = await proxyHost(profile as Profile, FUNCTION_URL_HOST, { url: "http://127.0.0.1:9" });
      const root = configure(host, config());
      const r = await host.request(root, { path: "/aws/x" });
      assert.equal(r.status, profile === "envoy" ? 503 : 502);
      assert.doesNotMatch(r.body.toString(), /aws_lambda/);
      assert.ok(errorLines(host).some((l) => /GET \/aws\/x: the route's upstream failed/.test(l)), errorLines(host).join(" | "));
      if (profile === "envoy") assert.equal(host.getMetrics().get("aws_lambda.callout_failed_total")?.value, 1);
    });
  });
}

describe("credentials fetched during a proxied request", () => {
  let rig: CredentialRig;
  before(async () => { rig = await CredentialRig.start(); });
  after(() => rig.close());

  for (const profile of PROFILES) {
    test(`${profile}: a cold VM's request (GET, and POST with a body) waits for the fetch, then goes on signed (Envoy: continue_stream)`, async () => {
      for (const method of ["GET", "POST"]) {
        rig.imds.rotate();
        const host = await rig.host(profile as Profile, {
          allowOnHeadersStopIteration: true, routes: { [rig.lambda.authority]: rig.lambda.authority },
          upstream: { scheme: "http", node: rig.lambda.authority },
        });
        const root = configure(host, rig.config(rig.instance, { mode: "proxy" }));
        const documents = rig.imds.counts.documents;
        const r = await host.request(root, { method, path: "/x", ...(method === "POST" ? { body: "{\"a\":1}" } : {}) });
        assert.equal(r.status, 200, r.body.toString());
        assert.equal(rig.imds.counts.documents - documents, 1, "fetched during the request");
        assert.equal(json(r).accessKey, rig.imds.credentials.accessKeyId);
        assert.ok(r.proxied, "carried by the route, not a callout");
        assert.ok(host.getCallouts().every((c) => c.upstream !== rig.lambda.authority), "no callout to the function");
      }
    });

    test(`${profile}: credentials AWS calls expired: the 403 goes to the client, the credentials are dropped, the next request signs with new ones`, async () => {
      const host = await rig.host(profile as Profile, {
        allowOnHeadersStopIteration: true, routes: { [rig.lambda.authority]: rig.lambda.authority },
        upstream: { scheme: "http", node: rig.lambda.authority },
      });
      const root = configure(host, rig.config(rig.instance, { mode: "proxy" }));
      const old = rig.imds.rotate();
      assert.equal(json(await host.request(root, { path: "/a" })).accessKey, old.accessKeyId);
      rig.expired.add(old.accessKeyId);
      const fresh = rig.imds.rotate();
      const refused = await host.request(root, { path: "/b" });
      assert.equal(refused.status, 403);
      assert.match(refused.body.toString(), /expired/);
      assert.ok(errorLines(host).some((l) => /GET \/b: AWS refused the credentials as expired \(canonical request SHA-256 [0-9a-f]{64}.*they are dropped/.test(l)),
        errorLines(host).join(" | "));
      assert.equal(json(await host.request(root, { path: "/c" })).accessKey, fresh.accessKeyId);
    });
  }
});
