// The Envoy profile's path for a request the filter lets go on (issue 13; docs/hosts.md "Proxied requests"):
// the route chosen again from the rewritten :authority, the headers the router adds after the filters, the
// HTTP/1 request on the wire, and the response through on_response_headers / on_response_body with Envoy's
// continue and buffering rules, to a client that records when each piece arrived. One test per fact, each
// driving the proxy fixture against a loopback upstream.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Host, type HostOptions, type Reply } from "../emulator/index.ts";
import { AwsEndpoint, echo, type Handler } from "./support/aws-endpoint.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";

const PROXY = fixturePath("proxy-filter");
const FN = "fn.example";
let upstream: AwsEndpoint;
let other: AwsEndpoint;
let handler: Handler = echo;

before(async () => {
  await compileFixture("proxy-filter");
  upstream = await AwsEndpoint.start({ handler: (r) => handler(r) });
  other = await AwsEndpoint.start({ handler: () => ({ body: "the other cluster" }) });
});
after(async () => {
  await upstream.close();
  await other.close();
});

async function envoy(options: Partial<HostOptions> = {}) {
  const host = await Host.load({
    profile: "envoy", wasm: PROXY, allowOnHeadersStopIteration: true,
    clusters: { fn: upstream.url, other: other.url }, routes: { [FN]: "fn", "other.example": "other" }, ...options,
  });
  const { rootId } = host.configure("{}");
  return { host, rootId };
}

const logs = (host: Host) => host.getLogs().map((l) => l.message);
const received = () => upstream.last;
const header = (reply: Reply, name: string) => reply.headers.find(([k]) => k === name)?.[1];

describe("envoy: the proxied request", () => {
  test("goes out as the filter left it: :method and :path verbatim, :authority as Host, the router's timeout header after the filters", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/in?q=1", authority: FN, headers: { "x-p-path": "/rewritten/%C3%A9?a=b" } });
    assert.equal(r.status, 200);
    const got = received();
    assert.equal(got.url, "/rewritten/%C3%A9?a=b");
    assert.deepEqual(got.headers[0], ["host", FN]);
    const names = got.headers.map(([k]: [string, string]) => k);
    // The connection manager added these before the filters; the router adds its timeout after them.
    assert.ok(names.includes("x-forwarded-proto") && names.includes("x-request-id"));
    assert.equal(got.headers.find(([k]: [string, string]) => k === "x-envoy-expected-rq-timeout-ms")?.[1], "15000");
    assert.equal(r.proxied?.request?.target, "/rewritten/%C3%A9?a=b");
  });

  test("the route is chosen again from the :authority the filter wrote (ABI 0.2.1 header writes clear the route cache)", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-authority": "other.example" } });
    assert.equal(r.body.toString(), "the other cluster");
    assert.equal(r.proxied?.request?.headers[0][1], "other.example");
  });

  test("no route for the :authority: the router's 404, through the filter's response callbacks", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-authority": "nowhere.example" } });
    assert.equal(r.status, 404);
    assert.equal(r.details, "route_not_found");
    assert.ok(logs(host).some((m) => m.startsWith("resp_headers n=1 eos=1 status=404")), logs(host).join(" | "));
  });

  test("a route to an unknown cluster: 503 cluster_not_found", async () => {
    const { host, rootId } = await envoy({ routes: { [FN]: "missing" } });
    const r = await host.request(rootId, { path: "/", authority: FN });
    assert.equal(r.status, 503);
    assert.equal(r.details, "cluster_not_found");
  });

  test("a body the filter replaced with set_buffer_bytes (and whose content-length it set) is what goes upstream", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, chunks: ["abc", "def"],
      headers: { "content-length": "6", "x-p-want-body": "1", "x-p-replace-body": "{\"event\":1}" } });
    assert.ok(logs(host).includes("req_body replaced=0 content_length=0"), logs(host).join(" | "));
    const got = JSON.parse(r.body.toString());
    assert.equal(Buffer.from(got.body, "base64").toString(), "{\"event\":1}");
    assert.equal(got.headers.find(([k]: [string, string]) => k === "content-length")?.[1], "11");
  });

  test("a body without content-length goes chunked; a bodiless POST gets content-length: 0", async () => {
    const { host, rootId } = await envoy();
    const chunked = await host.request(rootId, { path: "/", authority: FN, chunks: ["ab", "cd"] });
    assert.ok(chunked.proxied?.request?.headers.some(([k, v]) => k === "transfer-encoding" && v === "chunked"));
    assert.equal(JSON.parse(chunked.body.toString()).bodyLength, 4);
    const empty = await host.request(rootId, { method: "POST", path: "/", authority: FN });
    assert.ok(empty.proxied?.request?.headers.some(([k, v]) => k === "content-length" && v === "0"));
    const get = await host.request(rootId, { method: "GET", path: "/", authority: FN });
    assert.ok(!get.proxied?.request?.headers.some(([k]) => k === "content-length"));
  });
});

describe("envoy: the response through the filter", () => {
  test("on_response_headers sees :status first and the router's x-envoy-upstream-service-time; the client gets server: envoy, no hop-by-hop", async () => {
    handler = () => ({ headers: { "x-fn": "1", connection: "keep-alive" }, body: "hi" });
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN });
    const line = logs(host).find((m) => m.startsWith("resp_headers")) ?? "";
    assert.match(line, /status=200 names=:status,.*x-fn.*x-envoy-upstream-service-time/);
    assert.equal(header(r, "server"), "envoy");
    assert.equal(header(r, "x-fn"), "1");
    assert.equal(header(r, "connection"), undefined);
    handler = echo;
  });

  test("Continue on each piece sends it at once: the client has the first chunk before the upstream sends the last", async () => {
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    let beforeLast = false;
    handler = () => ({
      stream: async (write) => {
        await write("first;");
        beforeLast = await Promise.race([arrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
        await write("last");
      },
    });
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN }, {
      client: { head() {}, chunk: () => firstArrived(), end() {}, abort() {} },
    });
    handler = echo;
    assert.equal(beforeLast, true, "the client had nothing before the upstream's last chunk");
    assert.equal(r.body.toString(), "first;last");
    assert.ok(r.proxied!.chunks.length >= 2);
    assert.ok(r.proxied!.chunks[0].at < r.proxied!.upstreamChunks.at(-1)!.at);
  });

  test("StopIteration from on_response_headers without allow_on_headers_stop_iteration stops everything: no body callback, the response hangs", async () => {
    const { host, rootId } = await envoy({ allowOnHeadersStopIteration: false });
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-headers": "stop" } });
    assert.match(r.stalled ?? "", /allow_on_headers_stop_iteration is off/);
    assert.equal(r.status, 0);
    assert.ok(!logs(host).some((m) => m.startsWith("resp_body")));
  });

  test("held headers (StopIteration with the flag) can still be changed in the first body callback; Continue sends them first", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-headers": "stop", "x-p-body-header": "1" } });
    assert.ok(logs(host).includes("resp_body header=0 status=0"), logs(host).join(" | "));
    assert.equal(r.status, 299);
    assert.equal(header(r, "x-from-body"), "1");
  });

  test("without holding them, header writes from a body callback are BadArgument (response_headers_ is gone)", async () => {
    const { host, rootId } = await envoy();
    await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-body-header": "1" } });
    assert.ok(logs(host).includes("resp_body header=2 status=2"), logs(host).join(" | "));
  });

  test("set_buffer_bytes on a piece replaces that piece; Continue sends it", async () => {
    handler = () => ({ stream: async (write) => { await write("abc"); await new Promise((r) => setTimeout(r, 20)); await write("def"); } });
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-body": "upper" } });
    handler = echo;
    assert.equal(r.body.toString(), "ABCDEF");
    assert.ok(logs(host).filter((m) => m === "resp_body set=0").length >= 2);
  });

  test("StopIterationAndBuffer: the next callback sees everything buffered (its size too); at the end one replacement stands for it all", async () => {
    handler = () => ({ stream: async (write) => { await write("12345"); await new Promise((r) => setTimeout(r, 20)); await write("678"); } });
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-body": "replace-end" } });
    handler = echo;
    const sizes = logs(host).filter((m) => m.startsWith("resp_body call=")).map((m) => /size=(\d+)/.exec(m)![1]);
    assert.deepEqual(sizes, ["5", "8", "8"]); // the codec's last call: end_stream with no new bytes
    assert.equal(r.body.toString(), "total=8");
  });

  test("StopIterationNoBuffer drops the piece, and at the end of the stream holds the end until a continue", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-body": "nobuffer" } });
    assert.equal(r.body.length, 0);
    assert.match(r.stalled ?? "", /held the end of the response \(StopIterationNoBuffer\)/);
  });

  test("buffering past the buffer limit: 500 response_payload_too_large while the headers are held", async () => {
    handler = () => ({ body: "x".repeat(5000) });
    const { host, rootId } = await envoy({ bufferLimitBytes: 1024 });
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-headers": "stop", "x-p-resp-body": "buffer" } });
    handler = echo;
    assert.equal(r.status, 500);
    assert.equal(r.details, "response_payload_too_large");
  });

  test("a local reply from on_response_headers replaces the response, bypassing the filters", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-local": "1" } });
    assert.equal(r.status, 418);
    assert.equal(r.body.toString(), "local from response headers");
    assert.equal(logs(host).filter((m) => m.startsWith("resp_headers n=")).length, 1);
  });

  test("a local reply from a body callback after the headers went out resets the stream", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", authority: FN, headers: { "x-p-resp-body": "local" } });
    assert.equal(r.status, 200);
    assert.match(r.proxied?.reset ?? "", /stream reset: a local reply \(599\)/);
    assert.equal(r.proxied?.complete, false);
  });

  test("an upstream that refuses the connection: the router's 503, which the filter's response callbacks see", async () => {
    const { host, rootId } = await envoy({ clusters: { fn: "http://127.0.0.1:9" } });
    const r = await host.request(rootId, { path: "/", authority: FN });
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /^upstream connect error or disconnect\/reset before headers/);
    assert.ok(logs(host).some((m) => m.startsWith("resp_headers n=3 eos=0 status=503")));
  });

  test("the route timeout spans the whole response: 504 before the headers, a reset after them", async () => {
    handler = async () => { await new Promise((r) => setTimeout(r, 300)); return { body: "late" }; };
    const early = await envoy({ routeTimeoutMs: 100 });
    const r = await early.host.request(early.rootId, { path: "/", authority: FN });
    assert.equal(r.status, 504);
    assert.equal(r.body.toString(), "upstream request timeout");
    handler = () => ({ stream: async (write) => { await write("a"); await new Promise((r) => setTimeout(r, 300)); await write("b"); } });
    const late = await envoy({ routeTimeoutMs: 100 });
    const cut = await late.host.request(late.rootId, { path: "/", authority: FN });
    handler = echo;
    assert.equal(cut.status, 200);
    assert.match(cut.proxied?.reset ?? "", /stream reset: upstream timeout/);
  });
});
