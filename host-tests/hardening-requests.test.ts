// What the request and host-fault fuzzers found in the request flow (assembly/filter/*, the lead's
// files): each test is the smallest reproducer of a bug they found, kept as a regression test.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MapType, WasmResult, type Profile } from "../emulator/index.ts";
import { FuzzHost, HOST_OPTIONS } from "./support/fuzz-host.ts";

const PROFILES: Profile[] = ["envoy", "apisix"];
const FUNCTION = { function_uri: "https://a.example.com/fn" };

for (const profile of PROFILES) {
  describe(`${profile}: request flow under hostile input and host faults`, () => {
    test("a :method that is not a token is refused with 400 and never reaches the callout", async () => {
      const { host } = await FuzzHost.start(profile, HOST_OPTIONS);
      const { rootId } = host.configure(FUNCTION);
      for (const method of ["GET /admin HTTP/1.1\r\nx-evil: 1\r\n\r\nGET", "G E T", "GET\u0000"]) {
        const reply = await host.request(rootId, { method, path: "/" }, { answer: () => ({ headers: [[":status", "200"]] }) });
        assert.equal(reply.callout, undefined, JSON.stringify(method));
        assert.equal(reply.status, 400, JSON.stringify(method));
      }
    });

    test("a body the host cannot hand over is refused, not replaced by an empty body", async () => {
      const fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS);
      const { host } = fuzzHost;
      const body = Buffer.alloc(5000, 0x5a);
      // The copy of this body into the module fails, as when the allocator refuses its size.
      host.failCopyIntoModule("proxy_get_buffer_bytes", WasmResult.InvalidMemoryAccess, (_args, data) => data.equals(body));
      const { rootId } = host.configure(FUNCTION);
      const reply = await host.request(rootId, { method: "POST", path: "/", body }, { answer: () => ({ headers: [[":status", "200"]] }) });
      assert.ok(reply.callout === undefined || reply.callout.body.equals(body), `callout body of ${reply.callout?.body.length} bytes`);
      assert.ok(reply.status >= 400, `status ${reply.status}`);
    });

    test("request headers the host cannot hand over are refused, not replaced by GET /", async () => {
      const { host } = await FuzzHost.start(profile, HOST_OPTIONS);
      host.failHostCall("proxy_get_header_map_pairs", WasmResult.InvalidMemoryAccess, ([type]) => type === MapType.HttpRequestHeaders);
      const { rootId } = host.configure(FUNCTION);
      const reply = await host.request(rootId, { method: "DELETE", path: "/items/7", body: "x" }, { answer: () => ({ headers: [[":status", "200"]] }) });
      assert.equal(reply.callout, undefined, `forwarded as ${JSON.stringify(reply.callout?.headers.slice(0, 2))}`);
    });
  });
}

describe("apisix: host faults in the request flow", () => {
  test("a refused wasm_process_req_body does not let the request past the filter", async () => {
    const { host } = await FuzzHost.start("apisix", HOST_OPTIONS);
    host.failHostCall("proxy_set_property", WasmResult.NotFound);
    const { rootId } = host.configure(FUNCTION);
    const reply = await host.request(rootId, { method: "POST", path: "/", body: "x" });
    assert.equal(reply.continued, false, "the request bypassed the filter");
    assert.equal(reply.status, 500);
  });

  test("a local reply the host refuses does not crash the worker", async () => {
    const { host } = await FuzzHost.start("apisix", HOST_OPTIONS);
    host.failHostCall("proxy_send_local_response", WasmResult.BadArgument);
    const { rootId } = host.configure({ ...FUNCTION, path_prefix: "/aws" });
    const reply = await host.request(rootId, { path: "/elsewhere" });
    assert.equal(host.failed, false, host.trap?.message);
    assert.ok(reply.status >= 400, `status ${reply.status}`);
  });
});

describe("envoy: Invoke API replies", () => {
  const INVOKE = { function_uri: "arn:aws:lambda:us-west-2:123456789012:function:fn",
    authorization: { iam: { accesskey: "AKID", secretkey: "SECRET", service: "lambda" } } };

  test("x-amzn-requestid and retry-after with CR/LF from the Invoke API are not relayed", async () => {
    const { host } = await FuzzHost.start("envoy", HOST_OPTIONS);
    const { rootId } = host.configure(INVOKE);
    for (const [status, name] of [["200", "x-amzn-requestid"], ["429", "retry-after"]]) {
      const reply = await host.request(rootId, { path: "/x" }, { answer: () => ({
        headers: [[":status", status], [name, "1\r\nset-cookie: session=evil"]], body: "{}" }) });
      assert.deepEqual(reply.headers.filter(([, v]) => /[\r\n]/.test(v)), [], `${status} ${name}`);
    }
  });

  test("a function reply with thousands of multiValueHeaders and headers is read in linear time", async () => {
    const { host } = await FuzzHost.start("envoy", HOST_OPTIONS);
    const { rootId } = host.configure(INVOKE);
    const n = 6000;
    const body = JSON.stringify({ statusCode: 200, body: "x",
      multiValueHeaders: Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, ["v"]])),
      headers: Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, "v"])) });
    const started = performance.now();
    const reply = await host.request(rootId, { path: "/x" }, { answer: () => ({ headers: [[":status", "200"]], body }) });
    const ms = performance.now() - started;
    assert.equal(reply.status, 200);
    assert.ok(ms < 400, `${ms.toFixed(0)} ms`);
  });
});
