// The APISIX profile's path for a request the filter lets go on (issue 13; docs/hosts.md "Proxied requests"):
// nginx's request to the route's upstream built from $upstream_uri / $upstream_host and the route's
// upstream (scheme, node, pass_host), the headers nginx sets itself, the body untouched; the response
// through the header filter (proxy_on_response_headers(ctx, 0, 1), result ignored, writes applied) and the
// body filter (only with wasm_process_resp_body, nothing replaced), passed on as it arrives. One test per fact.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Host, type ApisixUpstream, type HostOptions, type Reply } from "../emulator/index.ts";
import { AwsEndpoint, echo, type Handler } from "./support/aws-endpoint.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";

const PROXY = fixturePath("proxy-filter");
const TLS = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url));
let upstream: AwsEndpoint;
let handler: Handler = echo;

before(async () => {
  await compileFixture("proxy-filter");
  upstream = await AwsEndpoint.start({ handler: (r) => handler(r) });
});
after(() => upstream.close());

async function apisix(route: Partial<ApisixUpstream> = {}, options: Partial<HostOptions> = {}) {
  const host = await Host.load({
    profile: "apisix", wasm: PROXY, upstream: { node: "fn.example:443", ...route },
    resolve: () => upstream.url, ...options,
  });
  const { rootId } = host.configure("{}");
  return { host, rootId };
}

const logs = (host: Host) => host.getLogs().map((l) => l.message);
const header = (reply: Reply, name: string) => reply.headers.find(([k]) => k === name)?.[1];
const sent = (reply: Reply, name: string) => reply.proxied?.request?.headers.find(([k]) => k === name)?.[1];

describe("apisix: the proxied request", () => {
  test("$upstream_uri goes out verbatim (path and query, the client's args not added) and $upstream_host is Host (pass_host pass)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/aws/x?client=1", headers: { "x-p-var": "upstream_uri=/fn/%C3%A9?a=b;upstream_host=abc.lambda-url.us-east-1.on.aws" } });
    assert.ok(logs(host).includes("req_headers eos=1 var=0 var=0"), logs(host).join(" | "));
    assert.equal(upstream.last.url, "/fn/%C3%A9?a=b");
    assert.deepEqual(upstream.last.headers[0], ["host", "abc.lambda-url.us-east-1.on.aws"]);
    assert.equal(r.status, 200);
  });

  test("without $upstream_uri the client's target goes; after a :path write, the escaped r->uri plus the original args", async () => {
    const { host, rootId } = await apisix();
    await host.request(rootId, { path: "/aws/x?client=1" });
    assert.equal(upstream.last.url, "/aws/x?client=1");
    await host.request(rootId, { path: "/aws/x?client=1", headers: { "x-p-path": "/new path%20" } });
    assert.equal(upstream.last.url, "/new%20path%2520?client=1");
  });

  test("Host follows the route's pass_host: the client's Host by default, the node with \"node\", upstream_host with \"rewrite\"", async () => {
    const pass = await apisix();
    await pass.host.request(pass.rootId, { path: "/", authority: "gw.example" });
    assert.equal(upstream.last.headers[0][1], "gw.example");
    const node = await apisix({ passHost: "node" });
    await node.host.request(node.rootId, { path: "/", headers: { "x-p-var": "upstream_host=ignored.example" } });
    assert.equal(upstream.last.headers[0][1], "fn.example:443");
    const rewrite = await apisix({ passHost: "rewrite", upstreamHost: "set.example" });
    await rewrite.host.request(rewrite.rootId, { path: "/", headers: { "x-p-var": "upstream_host=ignored.example" } });
    assert.equal(upstream.last.headers[0][1], "set.example");
  });

  test("nginx sets Host, X-Real-IP, X-Forwarded-For/-Proto/-Host/-Port and Content-Length itself, before the client's headers", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", body: "12345", headers: { "x-forwarded-for": "10.0.0.1", "x-client": "1", "x-real-ip": "6.6.6.6" } });
    const names = r.proxied!.request!.headers.map(([k]) => k);
    assert.deepEqual(names.slice(0, 7), ["host", "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "content-length"]);
    assert.equal(sent(r, "x-real-ip"), "127.0.0.1");
    assert.equal(sent(r, "x-forwarded-for"), "10.0.0.1, 127.0.0.1");
    assert.equal(sent(r, "x-client"), "1");
    assert.equal(JSON.parse(r.body.toString()).bodyLength, 5);
  });

  test("a $upstream_scheme write is overwritten from the route's upstream after the plugins", async () => {
    const { host, rootId } = await apisix({ scheme: "http" }, { resolve: (_node, scheme) => (scheme === "http" ? upstream.url : null) });
    const r = await host.request(rootId, { path: "/", headers: { "x-p-var": "upstream_scheme=https" } });
    assert.equal(r.status, 200);
    assert.ok(r.proxied?.request?.url.startsWith("http://"));
  });

  test("scheme https: TLS to the node with SNI = $upstream_host without its port, not verified unless the upstream's tls.verify", async () => {
    let sni: string | undefined;
    const server = createServer({ key: TLS("server-key.pem"), cert: TLS("server.pem") }, (_req, res) => res.end("secure"));
    after(() => server.close());
    server.on("secureConnection", (socket) => (sni = (socket as any).servername));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { host, rootId } = await apisix({ scheme: "https" }, { resolve: () => url });
    const r = await host.request(rootId, { path: "/", headers: { "x-p-var": "upstream_host=abc.lambda-url.us-east-1.on.aws:443" } });
    assert.equal(r.body.toString(), "secure");
    assert.equal(sni, "abc.lambda-url.us-east-1.on.aws");
    const verified = await apisix({ scheme: "https", tlsVerify: true }, { resolve: () => url });
    const refused = await verified.host.request(verified.rootId, { path: "/", headers: { "x-p-var": "upstream_host=other.example" } });
    assert.equal(refused.status, 502);
  });
});

describe("apisix: the response through the filter", () => {
  test("proxy_on_response_headers(ctx, 0, 1): nginx's headers_out, content-type and -length apart, a connection header, :status last", async () => {
    handler = () => ({ headers: { "x-fn": "1", "content-type": "text/plain", "content-length": "5" }, body: "hello" });
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/" });
    handler = echo;
    const line = logs(host).find((m) => m.startsWith("resp_headers")) ?? "";
    assert.match(line, /^resp_headers n=0 eos=1 status=200 names=x-fn,.*server,content-type,content-length,connection,:status$/);
    assert.equal(header(r, "server"), "APISIX/3.14.1");
    assert.equal(header(r, "content-type"), "text/plain; charset=utf-8");
  });

  test("its result is ignored (StopIteration holds nothing) but a :status write is applied", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-p-resp-headers": "stop", "x-p-resp-status": "201" } });
    assert.equal(r.status, 201);
    assert.equal(r.proxied?.complete, true);
  });

  test("body callbacks come only after wasm_process_resp_body was set in the header callback; set_buffer_bytes is Unimplemented and nothing is replaced", async () => {
    const without = await apisix();
    await without.host.request(without.rootId, { path: "/", headers: { "x-p-resp-body": "upper" } });
    assert.ok(!logs(without.host).some((m) => m.startsWith("resp_body")));
    const withFlag = await apisix();
    const r = await withFlag.host.request(withFlag.rootId, { path: "/", headers: { "x-p-resp-flag": "1", "x-p-resp-body": "upper" } });
    assert.ok(logs(withFlag.host).includes("resp_headers flag=0"));
    assert.ok(logs(withFlag.host).includes("resp_body set=12"), logs(withFlag.host).join(" | "));
    assert.equal(JSON.parse(r.body.toString()).method, "GET"); // not upper-cased
  });

  test("header writes from a body callback (the header already sent) answer Ok and change nothing", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-p-resp-flag": "1", "x-p-body-header": "1" } });
    assert.ok(logs(host).includes("resp_body header=0 status=0"));
    assert.equal(r.status, 200);
    assert.equal(header(r, "x-from-body"), undefined);
  });

  test("a local reply from the header callback: its code and body are never sent (the upstream's response goes on)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-p-resp-local": "1" } });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body.toString()).method, "GET");
  });

  test("each piece of a chunked response goes on as it arrives: the client has the first before the upstream sends the last", async () => {
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
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/" }, { client: { head() {}, chunk: () => firstArrived(), end() {}, abort() {} } });
    handler = echo;
    assert.equal(beforeLast, true);
    assert.equal(r.body.toString(), "first;last");
    assert.equal(header(r, "transfer-encoding"), "chunked");
  });

  test("an upstream that refuses the connection: nginx's 502 page; one that does not answer in time: 504; both through the header filter", async () => {
    const refused = await apisix({}, { resolve: () => "http://127.0.0.1:9" });
    const r = await refused.host.request(refused.rootId, { path: "/" });
    assert.equal(r.status, 502);
    assert.match(r.body.toString(), /502 Bad Gateway/);
    assert.ok(logs(refused.host).some((m) => m.startsWith("resp_headers n=0 eos=1 status=502")));
    handler = async () => { await new Promise((done) => setTimeout(done, 300)); return { body: "late" }; };
    const slow = await apisix({ timeoutMs: 100 });
    const late = await slow.host.request(slow.rootId, { path: "/" });
    handler = echo;
    assert.equal(late.status, 504);
    assert.match(late.body.toString(), /504 Gateway Time-out/);
  });
});
