// The emulator's public API for what tests used to patch in through its internals: raw bytes for the
// config, header values, paths and bodies; forget(); fault injection; callExport(). Driven with the
// real filter on both profiles.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Host, WasmResult, type Profile } from "../emulator/index.ts";

const PROFILES: Profile[] = ["envoy", "apisix"];
const FUNCTION = { function_uri: "https://a.example.com/fn" };
const OK = () => ({ headers: [[":status", "200"]] as [string, string][], body: "ok" });
/** Not UTF-8, a NUL and CR/LF: bytes no JS string carries through UTF-8 encoding. */
const RAW = Buffer.from([0x61, 0xff, 0x00, 0x0d, 0x0a, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x62]);

/** Records every piece of data host function `name` hands to the module (a copy fault that never fires). */
function spyOnCopies(host: Host, name: string): Buffer[] {
  const seen: Buffer[] = [];
  host.failCopyIntoModule(name, WasmResult.InternalFailure, (_args, data) => {
    seen.push(Buffer.from(data));
    return false;
  });
  return seen;
}

for (const profile of PROFILES) {
  describe(`${profile}: raw bytes reach the module byte for byte`, () => {
    test("a header value and a path given as bytes", async () => {
      const host = await Host.load({ profile });
      const { rootId } = host.configure(FUNCTION);
      const maps = spyOnCopies(host, "proxy_get_header_map_pairs");
      const path = Buffer.concat([Buffer.from("/x?q="), RAW]);
      await host.request(rootId, { path, headers: [["x-raw", RAW]] }, { answer: OK });
      const requestMap = maps.find((data) => data.includes("x-raw"));
      assert.ok(requestMap, "the filter never read the request header map");
      assert.ok(requestMap.includes(Buffer.concat([Buffer.from("x-raw\0"), RAW, Buffer.of(0)])), "header value bytes changed");
      assert.ok(requestMap.includes(Buffer.concat([path, Buffer.of(0)])), "path bytes changed");
    });

    test("a caller's string with a lone surrogate still reads as U+FFFD (EF BF BD), not as raw bytes", async () => {
      const host = await Host.load({ profile });
      const { rootId } = host.configure(FUNCTION);
      const maps = spyOnCopies(host, "proxy_get_header_map_pairs");
      await host.request(rootId, { path: "/", headers: [["x-text", "a\udc80b"]] }, { answer: OK });
      const requestMap = maps.find((data) => data.includes("x-text"));
      assert.ok(requestMap?.includes(Buffer.from("x-text\0a\u{fffd}b\0")));
    });

    test("a config given as bytes is the plugin configuration the filter reads", async () => {
      const host = await Host.load({ profile });
      const buffers = spyOnCopies(host, "proxy_get_buffer_bytes");
      const config = Buffer.from(`{"function_uri":"https://a.example.com/fn","upstream":"a\xff"}`, "latin1");
      assert.equal(host.configure(config).accepted, false);
      assert.ok(buffers.some((data) => data.equals(config)), "the configuration bytes changed");
    });

    test("a body given as bytes is the callout's body", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true });
      const { rootId } = host.configure(FUNCTION);
      const reply = await host.request(rootId, { method: "POST", path: "/", body: RAW }, { answer: OK });
      assert.deepEqual(reply.callout?.body, RAW);
    });
  });

  describe(`${profile}: fault injection`, () => {
    test("a host call answers the injected result while the fault is installed", async () => {
      const host = await Host.load({ profile, callouts: "capture" });
      const { rootId } = host.configure(FUNCTION);
      const remove = host.failHostCall("proxy_http_call", WasmResult.BadArgument);
      const refused = await host.request(rootId, { path: "/" }, { answer: OK });
      assert.equal(refused.callout, undefined);
      assert.equal(refused.status, 500);
      remove();
      const served = await host.request(rootId, { path: "/" }, { answer: OK });
      assert.equal(served.status, 200);
    });

    test("a fault applies only when its predicate holds for the call's arguments", async () => {
      const host = await Host.load({ profile });
      host.failHostCall("proxy_get_buffer_bytes", WasmResult.NotFound, ([type]) => type === 0);
      const { rootId, accepted } = host.configure(FUNCTION); // buffer 7 still reads
      assert.equal(accepted, true);
      const reply = await host.request(rootId, { method: "POST", path: "/", body: "x" }, { answer: OK });
      assert.equal(reply.callout, undefined, "a body the host did not hand over was forwarded");
    });

    test("a failed copy into the module refuses the configuration", async () => {
      const host = await Host.load({ profile });
      const remove = host.failCopyIntoModule("proxy_get_buffer_bytes", WasmResult.InvalidMemoryAccess);
      assert.equal(host.configure(FUNCTION).accepted, false);
      remove();
      assert.equal(host.configure(FUNCTION).accepted, true);
    });

    test("a fault on a function the host does not link is an error", async () => {
      const host = await Host.load({ profile });
      assert.throws(() => host.failHostCall("proxy_no_such_function", WasmResult.Ok), /not a host function/);
    });
  });

  describe(`${profile}: forget() and open streams`, () => {
    test("forget() drops finished streams, callouts, logs and host events, and keeps what is pending", async () => {
      const host = await Host.load({ profile });
      const { rootId } = host.configure(FUNCTION);
      for (let i = 0; i < 3; i++) await host.request(rootId, { path: "/" }, { answer: OK });
      const parked = await host.request(rootId, { path: "/" }); // capture mode, no answer: stays pending
      assert.equal(host.getCallouts().length, 4);
      assert.ok(host.getLogs().length > 0);
      host.forget();
      assert.deepEqual(host.getCallouts(), []);
      assert.deepEqual(host.getLogs(), []);
      assert.deepEqual(host.getHostEvents(), []);
      assert.deepEqual(host.getOpenStreams(), [parked.streamId]);
      assert.deepEqual(host.getPendingCallouts().map((c) => c.token), [parked.callout!.token]);
      host.callOnHttpCallResponse(rootId, parked.callout!.token, OK());
      assert.equal(host.getLocalResponse(parked.streamId)?.status, 200);
    });
  });

  describe(`${profile}: callExport()`, () => {
    test("runs an export with raw arguments and returns its result", async () => {
      const host = await Host.load({ profile });
      assert.notEqual(host.callExport("malloc", [64]), 0);
      assert.equal(host.callExport("no_such_export", [1, 2]), 0);
      assert.equal(host.failed, false);
    });
  });
}
