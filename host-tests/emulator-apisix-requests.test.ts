// The APISIX profile as measured in wasm-nginx-module 0.6.5 (issue 11; docs/hosts.md "Measured in the
// real hosts"): the request map and a request without Host, the body buffer, replies as nginx sends them,
// configure failures, what happens after a callout answer, header writes and log levels. Each test
// drives the echo fixture (host-tests/fixtures/emulator/echo-filter.ts).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Host, LogLevel, WasmResult, type CalloutAnswer, type Reply } from "../emulator/index.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";

const ECHO = fixturePath("echo-filter");
const CONFIG = { upstream: "lambda.local:8080", authority: "lambda.local", timeout: 1000 };

before(() => compileFixture("echo-filter"));

async function apisix(config: object = CONFIG) {
  const host = await Host.load({ profile: "apisix", wasm: ECHO });
  const { rootId } = host.configure(config);
  return { host, rootId };
}

const ok = (body = "ok"): CalloutAnswer => ({ headers: [[":status", "200"]], body });
const text = (r: Reply) => r.body.toString("utf8");
const header = (r: Reply, name: string) => r.headers.find(([k]) => k === name)?.[1];
const messages = (host: Host) => host.getLogs().map((l) => l.message);

describe("apisix: the request header map", () => {
  test(":authority (the Host value) follows nginx's headers, :scheme, :path and :method", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/p?q=1", authority: "gw.local:9080", headers: { "x-echo-headers": "1" } });
    const echoed = r.headers.filter(([k]) => k.startsWith("echo-")).map(([k, v]) => [k.slice(5), v]);
    assert.deepEqual(echoed.slice(-4), [[":scheme", "http"], [":path", "/p?q=1"], [":method", "GET"], [":authority", "gw.local:9080"]]);
    assert.deepEqual(echoed[0], ["host", "gw.local:9080"]);
  });

  test("an absolute-form target gives :path the path and query only", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "http://gw.local/fn?x=1", headers: { "x-get-header": ":path" } });
    assert.equal(text(r), "status=0 value=/fn?x=1");
  });

  test("HTTP/1.0 without Host: a whole-map read kills the worker (no response, VM gone)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { protocol: "HTTP/1.0", path: "/", headers: { "x-echo-headers": "1" } });
    assert.equal(r.status, 0);
    assert.match(r.stalled ?? "", /worker crashed: SIGSEGV.*headers_in\.host/);
    assert.equal(host.failed, true);
    assert.match(host.trap?.message ?? "", /ngx_http_wasm_get_authority/);
  });

  test("HTTP/1.0 without Host: a single-key read of :authority kills the worker too", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { protocol: "HTTP/1.0", path: "/", headers: { "x-get-header": ":authority" } });
    assert.equal(r.status, 0);
    assert.equal(host.failed, true);
  });

  test("HTTP/1.0 without Host: host reads NotFound; :method, :path and :scheme read safely", async () => {
    const { host, rootId } = await apisix();
    const read = async (name: string) =>
      text(await host.request(rootId, { protocol: "HTTP/1.0", method: "PUT", path: "/x?y", headers: { "x-get-header": name } }));
    assert.equal(await read("host"), `status=${WasmResult.NotFound} value=`);
    assert.equal(await read(":method"), "status=0 value=PUT");
    assert.equal(await read(":path"), "status=0 value=/x?y");
    assert.equal(await read(":scheme"), "status=0 value=http");
    assert.equal(host.failed, false);
  });

  test("an HTTP/1.0 request that sends Host has :authority", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { protocol: "HTTP/1.0", path: "/", headers: { host: "h.local", "x-get-header": ":authority" } });
    assert.equal(text(r), "status=0 value=h.local");
  });
});

describe("apisix: the request body buffer", () => {
  test("the body is readable only in proxy_on_request_body (NotFound in the callout answer)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", body: "payload", headers: { "x-want-body": "1" } }, { answer: () => ok() });
    assert.equal(r.callout?.body.toString(), "payload", "read in the body callback");
    assert.equal(header(r, "x-request-body-status"), String(WasmResult.NotFound));
  });
});

describe("apisix: replies as nginx sends them", () => {
  test("a text type gets '; charset=utf-8'; replies are chunked with APISIX's Server header", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/" }, { answer: () => ok() }); // the fixture replies text/plain
    assert.equal(header(r, "content-type"), "text/plain; charset=utf-8");
    assert.equal(header(r, "transfer-encoding"), "chunked");
    assert.equal(header(r, "content-length"), undefined);
    assert.match(header(r, "server") ?? "", /^APISIX\//);
  });

  test("a reply without Content-Type gets text/plain; charset=utf-8", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-read-buffer": "0,0,1,headers" } }); // no headers
    assert.match(text(r), /^status=/);
    assert.equal(header(r, "content-type"), "text/plain; charset=utf-8");
  });
});

describe("apisix: configure", () => {
  test("a false return gives that request nginx's 503 page; configure runs twice per request on the same root id", async () => {
    const host = await Host.load({ profile: "apisix", wasm: ECHO });
    const { rootId } = host.configure({ ...CONFIG, reject: true });
    host.clearLogs();
    const r = await host.request(rootId, { path: "/" });
    assert.equal(r.status, 503);
    assert.equal(header(r, "content-type"), "text/html; charset=utf-8");
    assert.match(text(r), /<title>503 Service Temporarily Unavailable<\/title>/);
    assert.deepEqual(messages(host).filter((m) => m.startsWith("configure root=")).map((m) => m.split(" ")[1]), [`root=${rootId}`, `root=${rootId}`]);
    await host.request(rootId, { path: "/" });
    assert.equal(messages(host).filter((m) => m === "configuration rejected").length, 4, "retried on every request");
  });

  test("a refused route edit serves 503s until a good one: the old config does not keep serving", async () => {
    const host = await Host.load({ profile: "apisix", wasm: ECHO });
    const good = host.configure(CONFIG);
    assert.equal((await host.request(good.rootId, { path: "/" }, { answer: () => ok("old") })).status, 200);
    // The Admin API stores any conf: the route now has the new (refused) plugin config, a new root.
    const edited = host.configure({ ...CONFIG, reject: true });
    assert.equal((await host.request(edited.rootId, { path: "/" }, { answer: () => ok("old") })).status, 503);
    const fixed = host.configure(CONFIG);
    assert.equal(text(await host.request(fixed.rootId, { path: "/" }, { answer: () => ok("new") })), "new");
  });
});

describe("apisix: after proxy_on_http_call_response", () => {
  test("no reply and no new callout: the request continues to the route's upstream (fail-open)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-silent-answer": "1" } }, { answer: () => ok() });
    assert.equal(r.continued, true);
    assert.equal(r.status, 0);
  });

  test("a local reply sent in the same callback as a new callout is dropped (its headers stay)", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-reply-and-call": "1" } }, { answer: (c) => ok(`to ${c.token}`) });
    assert.equal(host.getCallouts().length, 2);
    assert.equal(r.status, 200);
    assert.equal(text(r), "to 1", "the second callout's answer is the reply");
    assert.equal(header(r, "x-dropped"), "1");
  });
});

describe("apisix: request header writes", () => {
  test(":authority goes to the method branch: a host with a dot is BadArgument, letters set the method", async () => {
    const { host, rootId } = await apisix();
    const dotted = await host.request(rootId, { path: "/", headers: { "x-set-header": ":authority=fn.example.com" } });
    assert.equal(text(dotted), `set failed status=${WasmResult.BadArgument}`);
    const letters = await host.request(rootId, { path: "/", headers: { "x-set-header": ":authority=PATCH" } });
    assert.equal(letters.continued, true);
    assert.equal(letters.upstreamRequest?.headers.find(([k]) => k === ":method")?.[1], "PATCH");
  });

  test(":scheme is not special: it becomes a header named %3Ascheme", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/", headers: { "x-set-header": ":scheme=https" } });
    assert.equal(r.continued, true);
    assert.equal(r.upstreamRequest?.headers.find(([k]) => k === "%3Ascheme")?.[1], "https");
    assert.equal(r.upstreamRequest?.headers.find(([k]) => k === ":scheme")?.[1], "http");
  });
});

test("apisix: proxy_log levels as error.log shows them — critical is [emerg], trace is [debug]", async () => {
  const host = await Host.load({ profile: "apisix", wasm: ECHO });
  host.configure({ ...CONFIG, reject: true });
  const critical = host.getLogs(LogLevel.Critical).find((l) => l.message === "configuration rejected");
  assert.equal(critical?.hostLevel, "emerg");
  const envoy = await Host.load({ profile: "envoy", wasm: ECHO });
  envoy.configure({ ...CONFIG, reject: true });
  assert.equal(envoy.getLogs(LogLevel.Critical).find((l) => l.message === "configuration rejected")?.hostLevel, "critical");
  const { host: h, rootId } = await apisix();
  await h.request(rootId, { path: "/", headers: { "x-continue": "1" } });
  assert.deepEqual([...new Set(h.getLogs().map((l) => `${l.levelName}:${l.hostLevel}`))].sort(), ["debug:debug", "info:info"]);
});
