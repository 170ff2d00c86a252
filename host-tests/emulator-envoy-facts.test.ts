// The Envoy profile as proxy-wasm-cpp-host 52a0291 and Envoy behave (issue 11; docs/hosts.md): the end of
// a stream, maps the host no longer holds, proc_exit, the whole WASI list, allow_on_headers_stop_iteration
// off by default, HTTP/1.0 refused by the codec, log levels. Each test drives the echo fixture.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Host, LogLevel, WasmResult, type HostOptions } from "../emulator/index.ts";
import { compileFixture, fixturePath } from "./support/fixtures.ts";
import { appendBody } from "../emulator/hosts/envoy/body-buffer.ts";

const ECHO = fixturePath("echo-filter");
const CONFIG = { upstream: "lambda", authority: "lambda.local", timeout: 1000 };

before(() => compileFixture("echo-filter"));

async function envoy(options: Partial<HostOptions> = {}) {
  const host = await Host.load({ profile: "envoy", wasm: ECHO, ...options });
  const { rootId } = host.configure(CONFIG);
  return { host, rootId };
}

const messages = (host: Host) => host.getLogs().map((l) => l.message);

describe("envoy: stream end and maps", () => {
  test("a stream ends with on_log, then on_done, then on_delete", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", headers: { "x-continue": "1" } });
    const ends = messages(host).filter((m) => m.startsWith("log ctx=") || m.startsWith("done ctx="));
    assert.deepEqual(ends, [`log ctx=${r.streamId}`, `done ctx=${r.streamId}`]);
    assert.deepEqual(host.getOpenStreams(), []);
  });

  test("request headers after Continue: a value read is BadArgument, a pairs read Ok and empty", async () => {
    const { host, rootId } = await envoy({ allowOnHeadersStopIteration: true });
    await host.request(rootId, { path: "/", body: "x", headers: { "x-continue": "1" } });
    assert.ok(messages(host).includes(`body map value=${WasmResult.BadArgument} pairs=0/0`), messages(host).join(" | "));
  });

  test("allow_on_headers_stop_iteration is off unless set, as in Envoy: a paused request's body never comes", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", body: "abc", headers: { "x-want-body": "1" } }, { answer: () => ({ headers: [[":status", "200"]] }) });
    assert.match(r.stalled ?? "", /allow_on_headers_stop_iteration is off/);
    const on = await envoy({ allowOnHeadersStopIteration: true });
    const delivered = await on.host.request(on.rootId, { path: "/", body: "abc", headers: { "x-want-body": "1" } }, { answer: () => ({ headers: [[":status", "200"]] }) });
    assert.equal(delivered.callout?.body.toString(), "abc");
  });
});

describe("envoy: WASI", () => {
  test("proc_exit only logs and returns to the module (wasmtime on APISIX ends the call)", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", headers: { "x-proc-exit": "1" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), "after exit");
    assert.equal(host.failed, false);
    assert.ok(host.getHostEvents().some((e) => /proc_exit/.test(e)));
    const apisix = await Host.load({ profile: "apisix", wasm: ECHO });
    const root = apisix.configure({ ...CONFIG, upstream: "lambda.local:8080" }).rootId;
    assert.equal((await apisix.request(root, { path: "/", headers: { "x-proc-exit": "1" } })).status, 503);
    assert.equal(apisix.failed, true);
  });

  test("a module importing clock_res_get, sched_yield and poll_oneoff loads; they answer as cpp-host does", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { path: "/", headers: { "x-wasi-probe": "1" } });
    assert.equal(r.body.toString(), "clock_res_get=0/1 sched_yield=0 poll_oneoff=0/0");
  });
});

describe("envoy: the connection manager", () => {
  test("an HTTP/1.0 request is answered 426 before any filter (accept_http_10 is off by default)", async () => {
    const { host, rootId } = await envoy();
    const r = await host.request(rootId, { protocol: "HTTP/1.0", path: "/", headers: { "x-echo-headers": "1" } });
    assert.equal(r.status, 426);
    assert.equal(r.details, "low_version");
    assert.equal(messages(host).filter((m) => m.startsWith("request_headers")).length, 0);
  });

  test("proxy_log levels as Envoy's log shows them: warn is [warning], critical [critical]", async () => {
    const { host, rootId } = await envoy({ clusters: { lambda: "http://127.0.0.1:1" } });
    await host.request(rootId, { path: "/", headers: { "x-callout-upstream": "other" } });
    assert.equal(host.getLogs(LogLevel.Warn).find((l) => l.message.startsWith("http_call failed"))?.hostLevel, "warning");
  });
});

describe("envoy: the buffered body (emulator's store)", () => {
  test("appending copies only the new chunk into spare room, and never changes a body handed out before", () => {
    const a = appendBody(Buffer.from("ab"), Buffer.from("cd"));
    const b = appendBody(a, Buffer.from("ef"));
    assert.equal(b.buffer, a.buffer, "the second append wrote into the first one's spare room");
    // An older view appended to again must not overwrite what `b` holds after it.
    const c = appendBody(a, Buffer.from("XY"));
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(a.toString(), "abcd");
    assert.equal(b.toString(), "abcdef");
    assert.equal(c.toString(), "abcdXY");
    // A megabyte in 16 pieces keeps every byte in order.
    const whole = Buffer.alloc(1 << 20);
    for (let i = 0; i < whole.length; i++) whole[i] = (i * 31) & 0xff;
    let body = Buffer.alloc(0);
    for (let i = 0; i < 16; i++) body = appendBody(body, whole.subarray(i << 16, (i + 1) << 16));
    assert.ok(body.equals(whole));
  });
});
