// Tests of the proxy-wasm host emulator (emulator/) against a small AssemblyScript fixture
// filter (host-tests/fixtures/emulator/echo-filter.ts), per host profile. Only loopback addresses.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Host, WasmResult, decodePairs, encodePairs, type CalloutAnswer, type HostOptions, type Profile, type Reply } from "../emulator/index.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";

const ECHO = fixturePath("echo-filter");
const LOG_LEVEL = fixturePath("log-level-filter");
const PROFILES: Profile[] = ["envoy", "apisix"];

before(async () => {
  await Promise.all([compileFixture("echo-filter"), compileFixture("log-level-filter")]);
});

/** Fixture configuration: a cluster name on Envoy, host:port on APISIX. */
const config = (profile: Profile, extra: object = {}) => ({
  upstream: profile === "envoy" ? "lambda" : "lambda.local:8080",
  authority: "lambda.local",
  timeout: 1000,
  ...extra,
});

async function loaded(profile: Profile, options: Partial<HostOptions> = {}, extra: object = {}) {
  const host = await Host.load({ profile, wasm: ECHO, ...options });
  const { rootId, accepted } = host.configure(config(profile, extra));
  assert.equal(accepted, true);
  return { host, rootId };
}

const answer = (status: number, body: string, headers: [string, string][] = []) => (): CalloutAnswer => ({
  headers: [[":status", String(status)], ...headers],
  body,
});
const text = (r: Reply) => r.body.toString("utf8");
const header = (r: Reply, name: string) => r.headers.find(([k]) => k === name)?.[1];
const messages = (host: Host) => host.getLogs().map((l) => l.message);

describe("header map wire format", () => {
  test("encodePairs and decodePairs round-trip empty, UTF-8 and pseudo-header pairs", () => {
    const pairs: [string, string][] = [[":path", "/a?b=c"], ["x-empty", ""], ["x-utf8", "é€😀"], ["dup", "1"], ["dup", "2"]];
    const wire = encodePairs(pairs);
    assert.equal(wire.readUInt32LE(0), 5);
    assert.equal(wire.readUInt32LE(4), 5); // ":path" length, NUL not counted
    assert.equal(wire.readUInt32LE(8), 6);
    assert.equal(wire[4 + 5 * 8 + 5], 0); // NUL after the first key
    assert.deepEqual(decodePairs(wire), pairs);
    assert.deepEqual(decodePairs(encodePairs([])), []);
  });

  test("decodePairs refuses a truncated map", () => {
    assert.equal(decodePairs(encodePairs([["abc", "def"]]).subarray(0, 12)), null);
  });

  for (const profile of PROFILES) {
    test(`${profile}: the filter reads the request map and sends pairs back through the wire format`, async () => {
      const { host, rootId } = await loaded(profile);
      const r = await host.request(rootId, { path: "/p?q=1", authority: "gw.local", headers: { "X-Echo-Headers": "1", "x-remove-me": "z", "x-utf8": "é" } });
      assert.equal(r.status, 200);
      const names = r.headers.map(([k]) => k);
      assert.equal(header(r, "echo-x-utf8"), "é");
      assert.equal(header(r, "echo-x-echo-headers"), "1", "names are lower-cased");
      assert.equal(header(r, "echo-x-added"), "1", "proxy_add_header_map_value");
      assert.ok(!names.includes("echo-x-remove-me"), "proxy_remove_header_map_value");
      assert.equal(header(r, "echo-:path"), "/p?q=1");
      if (profile === "envoy") {
        assert.deepEqual(names.slice(1, 5), ["echo-:method", "echo-:path", "echo-:authority", "echo-:scheme"]);
        assert.equal(header(r, "x-plugin-root-id"), "aws_lambda");
      } else {
        // wasm-nginx-module 0.6.5+: nginx headers (with Host) first, then :scheme, :path, :method, :authority.
        assert.equal(header(r, "echo-host"), "gw.local");
        assert.equal(header(r, "echo-:authority"), "gw.local");
        assert.deepEqual(names.filter((n) => n.startsWith("echo-:")), ["echo-:scheme", "echo-:path", "echo-:method", "echo-:authority"]);
        assert.equal(header(r, "x-plugin-root-id"), "aws-lambda-wasm");
      }
    });
  }
});

describe("loading", () => {
  test("apisix refuses a module importing proxy_get_log_level", async () => {
    await assert.rejects(Host.load({ profile: "apisix", wasm: LOG_LEVEL }), /env\.proxy_get_log_level/);
  });

  test("envoy loads the same module and answers proxy_get_log_level", async () => {
    const host = await Host.load({ profile: "envoy", wasm: LOG_LEVEL, logLevel: 1 });
    assert.equal(host.configure("{}").accepted, true);
    assert.ok(messages(host).includes("log level 1"));
  });

  test("the ABI version export is required on envoy and optional on apisix", async () => {
    // (module (memory (export "memory") 1))
    const bare = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, ...Buffer.from("memory"), 2, 0]);
    await assert.rejects(Host.load({ profile: "envoy", wasm: bare }), /ABI version/);
    const host = await Host.load({ profile: "apisix", wasm: bare });
    assert.equal(host.memoryBytes(), 65536);
  });

  test("envoy runs proxy_on_vm_start for each new root context, apisix never", async () => {
    const envoy = await Host.load({ profile: "envoy", wasm: ECHO });
    envoy.configure(config("envoy"));
    envoy.configure(config("envoy"));
    assert.deepEqual(messages(envoy).filter((m) => m.startsWith("vm_start")), ["vm_start root=1", "vm_start root=2"]);
    const apisix = await Host.load({ profile: "apisix", wasm: ECHO });
    apisix.configure(config("apisix"));
    assert.equal(messages(apisix).filter((m) => m.startsWith("vm_start")).length, 0);
  });
});

describe("root and stream contexts", () => {
  for (const profile of PROFILES) {
    test(`${profile}: several root contexts with different configs live in one VM`, async () => {
      const host = await Host.load({ profile, wasm: ECHO });
      const a = host.configure(config(profile, { upstream: profile === "envoy" ? "fn-a" : "a.local" }));
      const b = host.configure(config(profile, { upstream: profile === "envoy" ? "fn-b" : "b.local" }));
      assert.notEqual(a.rootId, b.rootId);
      const ra = await host.request(a.rootId, { path: "/" }, { answer: answer(200, "A") });
      const rb = await host.request(b.rootId, { path: "/" }, { answer: answer(200, "B") });
      assert.equal(ra.callout?.upstream, profile === "envoy" ? "fn-a" : "a.local");
      assert.equal(rb.callout?.upstream, profile === "envoy" ? "fn-b" : "b.local");
      assert.equal(ra.callout?.rootId, a.rootId);
      assert.equal(text(rb), "B");
    });
  }

  test("envoy never reuses stream ids; apisix reuses a freed id for the next request", async () => {
    const envoy = await loaded("envoy");
    const e1 = await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-continue": "1" } });
    const e2 = await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-continue": "1" } });
    assert.deepEqual([envoy.rootId, e1.streamId, e2.streamId], [1, 2, 3]);
    const apisix = await loaded("apisix");
    const a1 = await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-continue": "1" } });
    const a2 = await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-continue": "1" } });
    assert.deepEqual([apisix.rootId, a1.streamId, a2.streamId], [1, 2, 2]);
  });

  test("envoy: a refused configuration is not served", async () => {
    const host = await Host.load({ profile: "envoy", wasm: ECHO });
    const { rootId, accepted } = host.configure(config("envoy", { reject: true }));
    assert.equal(accepted, false);
    await assert.rejects(host.request(rootId, { path: "/" }), /rejected/);
  });

  test("apisix: a refused configuration answers 503 and is tried again on the next request", async () => {
    const host = await Host.load({ profile: "apisix", wasm: ECHO });
    const { rootId, accepted } = host.configure(config("apisix", { reject: true }));
    assert.equal(accepted, false);
    const r = await host.request(rootId, { path: "/" });
    assert.equal(r.status, 503);
    // Once at configure(), then twice in the request (wasm.lua's access and header-filter wrappers).
    assert.equal(messages(host).filter((m) => m === "configuration rejected").length, 3);
  });
});

describe("end_of_stream and request bodies", () => {
  test("envoy: end_of_stream on headers is true only without a body", async () => {
    const { host, rootId } = await loaded("envoy");
    await host.request(rootId, { path: "/", headers: { "x-continue": "1" } });
    await host.request(rootId, { path: "/", body: "x", headers: { "x-continue": "1" } });
    assert.deepEqual(messages(host).filter((m) => m.startsWith("request_headers")).map((m) => m.split(" eos=")[1]), ["1", "0"]);
  });

  test("apisix: proxy_on_request_headers always gets (ctx, 0, 1), even with a body", async () => {
    const { host, rootId } = await loaded("apisix");
    await host.request(rootId, { path: "/", body: "x", headers: { "x-continue": "1" } });
    assert.ok(messages(host).includes("request_headers ctx=2 n=0 eos=1"));
  });

  test("apisix: the body is delivered, whole and once, only after wasm_process_req_body was set", async () => {
    const { host, rootId } = await loaded("apisix");
    const without = await host.request(rootId, { path: "/", chunks: ["ab", "cd"] }, { answer: answer(200, "ok") });
    assert.equal(without.callout?.headers.find(([k]) => k === "x-from")?.[1], "headers");
    assert.equal(host.getLogs().filter((l) => l.message.startsWith("request_body")).length, 0);
    const withBody = await host.request(rootId, { path: "/", chunks: ["ab", "cd"], headers: { "x-want-body": "1" } }, { answer: answer(200, "ok") });
    assert.equal(withBody.callout?.body.toString(), "abcd");
    assert.deepEqual(messages(host).filter((m) => m.startsWith("request_body")), ["request_body ctx=2 size=4 eos=1"]);
  });

  test("envoy: chunks accumulate while the filter returns StopIterationAndBuffer", async () => {
    const { host, rootId } = await loaded("envoy", { allowOnHeadersStopIteration: true });
    const r = await host.request(rootId, { path: "/", chunks: ["ab", "cd", "ef"], headers: { "x-want-body": "1" } }, { answer: answer(200, "ok") });
    assert.equal(r.callout?.body.toString(), "abcdef");
    assert.deepEqual(messages(host).filter((m) => m.startsWith("request_body")).map((m) => m.split(" ").slice(2).join(" ")), [
      "size=2 eos=0", "size=4 eos=0", "size=6 eos=1",
    ]);
  });

  test("envoy: StopIteration on headers stalls a request with a body without allow_on_headers_stop_iteration", async () => {
    const { host, rootId } = await loaded("envoy", { allowOnHeadersStopIteration: false });
    const r = await host.request(rootId, { path: "/", body: "abc", headers: { "x-want-body": "1" } }, { answer: answer(200, "ok") });
    assert.equal(r.status, 0);
    assert.match(r.stalled ?? "", /StopAllIterationAndWatermark/);
    assert.equal(host.getLogs().filter((l) => l.message.startsWith("request_body")).length, 0);
  });

  test("envoy: a local reply sent from the headers callback ends the request before its body", async () => {
    const { host, rootId } = await loaded("envoy");
    const r = await host.request(rootId, { path: "/", chunks: ["a", "b"], headers: { "x-echo-headers": "1" } });
    assert.equal(r.status, 200);
    assert.equal(r.details, "echo_headers", "Envoy replaces spaces in details");
    assert.equal(host.getLogs().filter((l) => l.message.startsWith("request_body")).length, 0);
  });

  test("a request the filter continues goes upstream with the filter's header changes", async () => {
    const { host, rootId } = await loaded("envoy");
    const r = await host.request(rootId, { path: "/up", headers: { "x-continue": "1" } });
    assert.equal(r.continued, true);
    assert.equal(r.upstreamRequest?.headers.find(([k]) => k === ":path")?.[1], "/up");
    assert.equal(r.upstreamRequest?.headers.find(([k]) => k === "x-forwarded-proto")?.[1], "http");
  });
});

describe("buffer reads", () => {
  const read = async (profile: Profile, spec: string, body?: string) => {
    const { host, rootId } = await loaded(profile, { allowOnHeadersStopIteration: true });
    return text(await host.request(rootId, { path: "/", body, headers: { "x-read-buffer": spec } }));
  };

  test("an empty body: envoy answers Ok with nothing, apisix NotFound", async () => {
    assert.equal(await read("envoy", "0,0,10,headers"), "status=0 data=");
    assert.equal(await read("apisix", "0,0,10,headers"), `status=${WasmResult.NotFound} data=`);
  });

  test("a read starting past the end: envoy clamps to nothing, apisix BadArgument", async () => {
    assert.equal(await read("envoy", "0,10,5", "hello"), "status=0 data=");
    assert.equal(await read("apisix", "0,10,5", "hello"), `status=${WasmResult.BadArgument} data=`);
  });

  test("a read past the end is clamped on both; a u32-max length is BadArgument on apisix", async () => {
    assert.equal(await read("envoy", "0,1,100", "hello"), "status=0 data=ello");
    assert.equal(await read("apisix", "0,1,100", "hello"), "status=0 data=ello");
    assert.equal(await read("envoy", "0,0,-1", "hello"), "status=0 data=hello");
    assert.equal(await read("apisix", "0,0,-1", "hello"), `status=${WasmResult.BadArgument} data=`);
  });

  test("apisix: a body callback for an empty body still shows the previous request's body", async () => {
    // wasm-nginx-module keeps the body in per-plugin-context state and only replaces it with a non-nil body.
    const { host, rootId } = await loaded("apisix");
    await host.request(rootId, { path: "/", body: "first", headers: { "x-want-body": "1" } }, { answer: answer(200, "ok") });
    const r = await host.request(rootId, { path: "/", headers: { "x-read-buffer": "0,0,100" } });
    assert.ok(messages(host).includes("request_body ctx=2 size=0 eos=1"));
    assert.equal(text(r), "status=0 data=first");
  });

  test("envoy: a request without a body gets no body callback", async () => {
    const { host, rootId } = await loaded("envoy");
    const r = await host.request(rootId, { path: "/", headers: { "x-read-buffer": "0,0,100" } });
    assert.equal(r.continued, true);
    assert.equal(host.getLogs().filter((l) => l.message.startsWith("request_body")).length, 0);
  });
});

describe("callouts (capture)", () => {
  for (const profile of PROFILES) {
    test(`${profile}: the callout is recorded and its response arrives on the root context`, async () => {
      const { host, rootId } = await loaded(profile);
      const r = await host.request(rootId, { path: "/fn?x=1", headers: { "x-callout-body": "ping" } }, {
        answer: (c) => ({ headers: [["X-Amz-Id", "7"], [":status", "202"]], body: `pong:${c.body}` }),
      });
      assert.equal(r.status, 200);
      assert.equal(text(r), "pong:ping");
      assert.equal(header(r, "x-callout-status"), "202");
      assert.equal(header(r, "x-callout-headers"), "2");
      // Envoy's header map starts with :status; APISIX's handle_http_callback appends it last.
      assert.equal(header(r, "x-callout-first"), profile === "envoy" ? ":status" : "x-amz-id");
      const c = host.getCallouts()[0];
      assert.deepEqual(c.headers, [[":method", "POST"], [":path", "/fn?x=1"], [":authority", "lambda.local"], ["x-from", "headers"]]);
      assert.equal(c.timeoutMs, 1000);
      assert.equal(c.streamId, r.streamId);
      assert.equal(c.token, profile === "envoy" ? 4 : 0);
      assert.ok(messages(host).includes(`http_call_response root=${rootId} token=${c.token} headers=2 body=9`));
      assert.equal(host.getPendingCallouts().length, 0);
      assert.equal(typeof r.calloutMs, "number");
    });

    test(`${profile}: a failed callout reaches the filter as 0 headers`, async () => {
      const { host, rootId } = await loaded(profile);
      const r = await host.request(rootId, { path: "/" }, { answer: () => null });
      assert.equal(r.status, 502);
      assert.equal(header(r, "x-echo"), "failed");
    });
  }

  test("the callout callback runs on the root: envoy needs proxy_set_effective_context, apisix ignores it", async () => {
    const envoy = await loaded("envoy");
    const e = await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-skip-effective": "1" } }, { answer: answer(200, "ok") });
    assert.equal(e.status, 0, "the local reply went to the root context, where Envoy drops it");
    assert.match(e.stalled ?? "", /paused/);
    const apisix = await loaded("apisix");
    const a = await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-skip-effective": "1" } }, { answer: answer(200, "ok") });
    assert.equal(a.status, 200, "APISIX acts on the request being processed whatever the effective context");
  });

  test("without an answer function the callout stays pending and can be answered later", async () => {
    const { host, rootId } = await loaded("envoy");
    const r = await host.request(rootId, { path: "/" });
    assert.equal(r.status, 0);
    assert.match(r.stalled ?? "", /pending/);
    const [c] = host.getPendingCallouts();
    host.callOnHttpCallResponse(c.rootId, c.token, { headers: [[":status", "200"]], body: "late" });
    assert.equal(host.getLocalResponse(r.streamId)?.body.toString(), "late");
    assert.equal(host.getLocalResponse(r.streamId)?.details, "echo");
  });

  test("envoy: an unknown cluster is BadArgument when clusters are given", async () => {
    const { host, rootId } = await loaded("envoy", { clusters: { lambda: "http://127.0.0.1:1" } });
    const r = await host.request(rootId, { path: "/", headers: { "x-callout-upstream": "other" } });
    assert.equal(text(r), `dispatch failed: ${WasmResult.BadArgument}`);
  });

  test("apisix: an upstream ngx_parse_url refuses (bad port, no host) is BadArgument", async () => {
    const { host, rootId } = await loaded("apisix");
    for (const upstream of ["http://lambda.local", "lambda.local:0", "lambda.local:65536", ":8080", "[::1"]) {
      const r = await host.request(rootId, { path: "/", headers: { "x-callout-upstream": upstream } });
      assert.equal(text(r), `dispatch failed: ${WasmResult.BadArgument}`, upstream);
    }
  });

  test("a negative timeout: envoy BadArgument, apisix InternalFailure", async () => {
    for (const [profile, status] of [["envoy", WasmResult.BadArgument], ["apisix", WasmResult.InternalFailure]] as const) {
      const { host, rootId } = await loaded(profile);
      const r = await host.request(rootId, { path: "/", headers: { "x-timeout": "-1" } });
      assert.equal(text(r), `dispatch failed: ${status}`, profile);
    }
  });

  test("apisix allows one pending call per request; envoy allows several", async () => {
    const apisix = await loaded("apisix");
    await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-double-call": "1" } }, { answer: answer(200, "ok") });
    assert.ok(messages(apisix.host).includes(`http_call failed status=${WasmResult.InternalFailure} call=2`));
    assert.equal(apisix.host.getCallouts().length, 1);
    const envoy = await loaded("envoy");
    await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-double-call": "1" } }, { answer: answer(200, "ok") });
    assert.deepEqual(envoy.host.getCallouts().map((c) => c.token), [4, 8]);
  });
});

describe("callouts over real HTTP (loopback)", () => {
  let server: http.Server;
  let port = 0;
  let closedPort = 0;
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url?.startsWith("/hang")) return; // never answers
        if (req.url?.startsWith("/reset")) {
          res.writeHead(200, { "content-length": "100" });
          res.write("partial");
          setTimeout(() => res.socket?.destroy(), 10);
          return;
        }
        res.writeHead(200, { "content-type": "application/json", "x-upstream": "yes" });
        res.end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const envoyHost = (extra: object = {}) =>
    loaded("envoy", { callouts: "http", clusters: { lambda: `http://127.0.0.1:${port}`, down: `http://127.0.0.1:${closedPort}` } }, extra);
  const apisixHost = (target: number, extra: object = {}) =>
    loaded("apisix", { callouts: "http", resolve: (authority) => (authority === "lambda.local:8080" ? `http://127.0.0.1:${target}` : null) }, extra);

  test("envoy sends method, raw :path, Host = :authority and Content-Length to the cluster", async () => {
    const { host, rootId } = await envoyHost({ path: "/2015-03-31/functions/f/invocations?q=a%20b" });
    const r = await host.request(rootId, { path: "/", headers: { "x-callout-body": "{\"a\":1}" } });
    const req = seen.at(-1)!;
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/2015-03-31/functions/f/invocations?q=a%20b");
    assert.equal(req.headers.host, "lambda.local");
    assert.equal(req.headers["content-length"], "7");
    assert.equal(req.headers["x-from"], "headers");
    assert.equal(r.status, 200);
    assert.equal(text(r), JSON.stringify({ echo: "{\"a\":1}" }));
    assert.equal(header(r, "x-callout-status"), "200");
    assert.ok((r.calloutMs ?? -1) >= 0);
  });

  test("apisix builds the URL from :scheme, the upstream host:port (via resolve) and :path", async () => {
    const { host, rootId } = await apisixHost(port);
    const r = await host.request(rootId, { path: "/fn", headers: { "x-callout-body": "b" } });
    assert.equal(seen.at(-1)!.url, "/fn");
    assert.equal(seen.at(-1)!.headers.host, "lambda.local");
    assert.equal(text(r), JSON.stringify({ echo: "b" }));
  });

  test("apisix: a name resolve() does not know is dispatched, then fails as 0 headers", async () => {
    const { host, rootId } = await apisixHost(port);
    const r = await host.request(rootId, { path: "/", headers: { "x-callout-upstream": "elsewhere.local" } });
    assert.equal(r.status, 502);
    assert.equal(header(r, "x-echo"), "failed");
    assert.equal(r.callout?.upstream, "elsewhere.local");
  });

  test("connection refused: envoy gives the filter a 503 response, apisix 0 headers", async () => {
    const envoy = await envoyHost({ upstream: "down" });
    const e = await envoy.host.request(envoy.rootId, { path: "/" });
    assert.equal(header(e, "x-callout-status"), "503");
    assert.match(text(e), /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure/);
    const apisix = await apisixHost(closedPort);
    const a = await apisix.host.request(apisix.rootId, { path: "/" });
    assert.equal(a.status, 502);
    assert.equal(header(a, "x-echo"), "failed");
  });

  test("timeout: envoy gives the filter a 504 response, apisix 0 headers", async () => {
    const envoy = await envoyHost({ path: "/hang" });
    const e = await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-timeout": "100" } });
    assert.equal(header(e, "x-callout-status"), "504");
    assert.equal(text(e), "upstream request timeout");
    const apisix = await apisixHost(port, { path: "/hang" });
    const a = await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-timeout": "100" } });
    assert.equal(a.status, 502);
  });

  test("a reset in the middle of the response reaches the filter as 0 headers on both", async () => {
    for (const make of [() => envoyHost({ path: "/reset" }), () => apisixHost(port, { path: "/reset" })]) {
      const { host, rootId } = await make();
      const r = await host.request(rootId, { path: "/" });
      assert.equal(r.status, 502, host.profile);
    }
  });
});

describe("traps and crashes", () => {
  for (const profile of PROFILES) {
    for (const kind of ["unreachable", "abort"]) {
      test(`${profile}: a trap (${kind}) fails the VM; that request and every later one get 503`, async () => {
        const { host, rootId } = await loaded(profile);
        const r = await host.request(rootId, { path: "/", headers: { "x-trap": kind } });
        assert.equal(r.status, 503);
        assert.equal(host.failed, true);
        assert.ok(host.trap);
        if (profile === "envoy") assert.equal(r.details, "wasm_fail_stream");
        const later = await host.request(rootId, { path: "/" }, { answer: answer(200, "ok") });
        assert.equal(later.status, 503);
      });
    }
  }

  test("envoy with fail_open lets requests through after a failure", async () => {
    const { host, rootId } = await loaded("envoy", { failOpen: true });
    await host.request(rootId, { path: "/", headers: { "x-trap": "unreachable" } });
    const later = await host.request(rootId, { path: "/" });
    assert.equal(later.continued, true);
  });

  test("apisix: returning Pause without a callout is a worker crash; envoy just holds the request", async () => {
    const apisix = await loaded("apisix");
    const a = await apisix.host.request(apisix.rootId, { path: "/", headers: { "x-pause": "1" } });
    assert.equal(a.status, 0);
    assert.match(a.stalled ?? "", /worker crash/);
    assert.equal(apisix.host.failed, true);
    const envoy = await loaded("envoy");
    const e = await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-pause": "1" } });
    assert.match(e.stalled ?? "", /paused/);
    assert.equal(envoy.host.failed, false);
  });
});

describe("metrics and logs", () => {
  test("envoy counts the filter's metric; apisix answers Ok, writes no id and counts nothing", async () => {
    const envoy = await loaded("envoy");
    await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-continue": "1" } });
    await envoy.host.request(envoy.rootId, { path: "/", headers: { "x-continue": "1" } });
    assert.deepEqual(envoy.host.getMetrics().get("echo_requests"), { type: "counter", value: 2 });
    assert.ok(messages(envoy.host).includes("metric defined status=0 id=4"), messages(envoy.host).join(" | "));
    // wasm-nginx-module 0.6.5 (api.c 1802-1825): proxy_define_metric returns Ok and never writes *result.
    const apisix = await loaded("apisix");
    assert.ok(messages(apisix.host).includes(`metric defined status=0 id=${0xffffffff}`), messages(apisix.host).join(" | "));
    assert.equal(apisix.host.getMetrics().size, 0);
  });

  test("logs carry their level and the context they concern", async () => {
    const { host, rootId } = await loaded("envoy");
    const r = await host.request(rootId, { path: "/", headers: { "x-continue": "1" } });
    const entry = host.getLogs().find((l) => l.message.startsWith("request_headers"))!;
    assert.equal(entry.contextId, r.streamId);
    assert.equal(entry.levelName, "info");
    assert.ok(host.getLogs(2).every((l) => l.level >= 2));
    host.clearLogs();
    assert.equal(host.getLogs().length, 0);
  });
});
