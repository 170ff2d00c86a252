// APISIX callouts as measured in wasm-nginx-module 0.6.5 and read in proxy-wasm.lua / lua-resty-http
// (issue 11; docs/hosts.md): the answer's header order, what lua-resty-http adds to the request, TLS
// with SNI = the upstream host, upstreams ngx_parse_url accepts but nothing answers, pseudo-headers kept
// from the previous callout, per-operation timeouts and a lagging timer clock. Loopback only.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { after, before, describe, test } from "node:test";
import { Host, type CalloutAnswer, type HostOptions, type Reply } from "../emulator/index.ts";
import { apisixTarget } from "../emulator/hosts/apisix/callouts.ts";
import { LuaTableOrder } from "../emulator/hosts/apisix/lua-order.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";

const ECHO = fixturePath("echo-filter");
const TLS = (name: string) => readFileSync(new URL(`fixtures/tls/${name}`, import.meta.url));
const header = (r: Reply, name: string) => r.headers.find(([k]) => k === name)?.[1];

interface Seen { method?: string; url?: string; headers: http.IncomingHttpHeaders; rawNames: string[]; sni?: string }
const seen: Seen[] = [];
let plain: http.Server;
let secure: https.Server;
let plainPort = 0;
let securePort = 0;

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  req.on("end", () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, rawNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
      sni: (req.socket as TLSSocket).servername || undefined });
    if (req.url?.startsWith("/hang")) return;
    if (req.url?.startsWith("/trickle")) {
      // Five pieces 60 ms apart: never 100 ms of silence, 240 ms in all.
      res.writeHead(200, { "content-type": "text/plain" });
      let n = 0;
      const timer = setInterval(() => (++n < 5 ? res.write(`${n}`) : (clearInterval(timer), res.end("5"))), 60);
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
}

before(async () => {
  await compileFixture("echo-filter");
  plain = http.createServer(handler);
  secure = https.createServer({ key: TLS("server-key.pem"), cert: TLS("server.pem") }, handler);
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => secure.listen(0, "127.0.0.1", r));
  plainPort = (plain.address() as AddressInfo).port;
  securePort = (secure.address() as AddressInfo).port;
});

after(() => {
  for (const server of [plain, secure]) {
    server.closeAllConnections();
    server.close();
  }
});

/** An APISIX host whose callouts to lambda.local:8080 (http) or fn.test:443 (https) reach the loopback servers. */
async function apisix(config: object = {}, options: Partial<HostOptions> = {}) {
  const host = await Host.load({
    profile: "apisix", wasm: ECHO, callouts: "http",
    resolve: (authority, scheme) => {
      if (authority === "lambda.local:8080") return `http://127.0.0.1:${plainPort}`;
      if (authority === "fn.test:443") return `${scheme}://127.0.0.1:${securePort}`;
      return null;
    },
    ...options,
  });
  const { rootId } = host.configure({ upstream: "lambda.local:8080", authority: "lambda.local", timeout: 1000, ...config });
  return { host, rootId };
}

const answer = (headers: [string, string][]): CalloutAnswer => ({ headers, body: "" });

describe("apisix: the callout answer's header map", () => {
  const names = async (seed: number) => {
    const host = await Host.load({ profile: "apisix", wasm: ECHO, seed });
    const { rootId } = host.configure({ upstream: "lambda.local:8080", authority: "lambda.local" });
    const given: [string, string][] = [[":status", "200"], ["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"], ["e", "5"], ["b", "2b"]];
    const r = await host.request(rootId, { path: "/" }, { answer: () => answer(given) });
    return header(r, "x-callout-names")!.split(",");
  };

  test(":status comes last; the other names in an arbitrary order, the same for the same seed", async () => {
    const orders = await Promise.all([1, 1, 2, 3, 4].map(names));
    for (const order of orders) {
      assert.equal(order.at(-1), ":status");
      assert.deepEqual([...order].sort(), [":status", "a", "b", "b", "c", "d", "e"]);
      assert.equal(order.lastIndexOf("b") - order.indexOf("b"), 1, "a name's values stay together");
    }
    assert.deepEqual(orders[0], orders[1]);
    assert.ok(orders.some((o) => o.join() !== "a,b,b,c,d,e,:status"), "some seed reorders the function's headers");
  });
});

describe("apisix: what lua-resty-http sends", () => {
  test("Content-Length: 0 on a bodiless POST, and its own User-Agent when the filter sends none", async () => {
    const { host, rootId } = await apisix();
    const r = await host.request(rootId, { path: "/fn" });
    assert.equal(header(r, "x-callout-status"), "200");
    const req = seen.at(-1)!;
    assert.equal(req.method, "POST");
    assert.equal(req.headers["content-length"], "0");
    assert.equal(req.headers["user-agent"], "lua-resty-http/0.16.1 (Lua) ngx_lua/10026");
    assert.equal(req.headers.host, "lambda.local");
  });

  test("the request's headers go out in the Lua table's order", async () => {
    const orders = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5]) {
      const { host, rootId } = await apisix({}, { seed });
      await host.request(rootId, { path: "/", headers: { "x-callout-body": "b" } });
      orders.add(seen.at(-1)!.rawNames.join(","));
    }
    assert.ok(orders.size > 1, [...orders].join(" | "));
  });

  test("HTTPS is verified against the trust store with SNI = the upstream host, not :authority", async () => {
    const trusted = await apisix({ upstream: "fn.test:443", authority: "other.example", scheme: "https" }, { trustedCa: TLS("ca.pem") });
    const ok = await trusted.host.request(trusted.rootId, { path: "/" });
    assert.equal(header(ok, "x-callout-status"), "200");
    assert.equal(seen.at(-1)!.sni, "fn.test");
    assert.equal(seen.at(-1)!.headers.host, "other.example");
    const untrusted = await apisix({ upstream: "fn.test:443", authority: "other.example", scheme: "https" });
    const failed = await untrusted.host.request(untrusted.rootId, { path: "/" });
    assert.equal(header(failed, "x-echo"), "failed", "an unverified certificate is a failed call (0 headers)");
  });
});

describe("apisix: upstreams and pseudo-headers", () => {
  test("host/path and bare names are accepted at dispatch and then fail as 0 headers", async () => {
    for (const upstream of ["lambda.local/path", "no_such_cluster"]) {
      const { host, rootId } = await apisix({ upstream });
      const r = await host.request(rootId, { path: "/" });
      assert.equal(r.callout?.upstream, upstream);
      assert.equal(header(r, "x-echo"), "failed", upstream);
    }
  });

  test("a callout without :method and :path reuses the previous callout's values", async () => {
    const { host, rootId } = await apisix({ path: "/first" });
    await host.request(rootId, { path: "/" });
    assert.deepEqual([seen.at(-1)!.method, seen.at(-1)!.url], ["POST", "/first"]);
    const bare = await host.request(rootId, { path: "/", headers: { "x-callout-bare": "1" } });
    assert.deepEqual(bare.callout?.effective, { method: "POST", scheme: "http", path: "/first" });
    assert.deepEqual([seen.at(-1)!.method, seen.at(-1)!.url], ["POST", "/first"]);
    const fresh = await Host.load({ profile: "apisix", wasm: ECHO });
    const root = fresh.configure({ upstream: "lambda.local:8080", authority: "lambda.local" }).rootId;
    const first = await fresh.request(root, { path: "/", headers: { "x-callout-bare": "1" } }, { answer: () => answer([[":status", "200"]]) });
    assert.deepEqual(first.callout?.effective, { method: "GET", scheme: "http", path: "" }, "nothing before: GET, http, /");
  });
});

describe("apisix: callout timeouts", () => {
  test("timeout 0 means lua-socket's 60 s defaults, per operation", () => {
    const callout = { rootId: 1, token: 0, upstream: "h:80", headers: [], body: Buffer.alloc(0), trailers: [], timeoutMs: 0, streamId: 2 };
    const options = { profile: "apisix" as const, pluginRootId: "p", allowOnHeadersStopIteration: false, callouts: "http" as const };
    const target = apisixTarget(callout, "http://127.0.0.1:1", options, new LuaTableOrder(1));
    assert.equal(target.timeoutMs, 60_000);
    assert.equal(target.perOperationTimeout, true);
  });

  test("the timeout applies to each connect, send and read: a trickling answer outlives it", async () => {
    const { host, rootId } = await apisix({ path: "/trickle", timeout: 100 });
    const r = await host.request(rootId, { path: "/" });
    assert.equal(header(r, "x-callout-status"), "200");
    assert.equal(r.body.toString(), "12345");
  });

  test("a lagging cached clock fires the timer early by the filter's clock", async () => {
    const { host, rootId } = await apisix({ path: "/hang", timeout: 200 }, { clockLagMs: 150 });
    const started = performance.now();
    const r = await host.request(rootId, { path: "/" });
    assert.equal(header(r, "x-echo"), "failed");
    assert.ok(performance.now() - started < 150, "the timer fired about 50 ms after dispatch");
  });
});
