// Regression tests for what the fuzzers found at the ABI layer: an allocator that trapped on sizes the
// runtime cannot hold, malformed UTF-8 read as the characters its overlong forms spell, WTF-8 bytes sent
// to the host, and header names that are not field names.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import type { Profile, TextOrBytes } from "../emulator/index.ts";
import { FuzzHost, HOST_OPTIONS, RAW_MARKERS, rawBytes } from "./support/fuzz-host.ts";
import { signatureProblem } from "./support/fuzz-sigv4.ts";

const PROFILES: Profile[] = ["envoy", "apisix"];
/** Raw bytes ED A0 80: an encoded surrogate (three U+FFFD for a WHATWG decoder). */
const SURROGATE = RAW_MARKERS[2];
/** Raw bytes C0 AE 2E: an overlong "." then ".", and C0 A6 78: an overlong "&" then "x". */
const OVERLONG_DOTS = RAW_MARKERS[4];
const OVERLONG_AMPERSAND = RAW_MARKERS[12];

for (const profile of PROFILES) {
  describe(`${profile}: ABI hardening`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test("the allocator answers 0 for sizes the runtime cannot hold, and never traps", async () => {
      // The runtime aborts on objects of 2^30 - 20 bytes and more; it used to trap from 2^30 - 20 to 2^30.
      for (const exported of ["malloc", "proxy_on_memory_allocate"]) {
        for (const size of [(1 << 30) - 20, (1 << 30) - 1, 1 << 30, 2 ** 31 - 1, 2 ** 32 - 1]) {
          const host = await fuzzHost.ready();
          const result = host.callExport(exported, [size | 0], { contextId: 0 });
          assert.equal(result, 0, `${exported}(${size})`);
          assert.equal(host.failed, false, `${exported}(${size}): ${host.trap?.message}`);
        }
      }
    });

    test("the allocator still serves sizes it can hold", async () => {
      const host = await fuzzHost.ready();
      for (const size of [0, 1, 4096, 1 << 20]) assert.notEqual(host.callExport("malloc", [size], { contextId: 0 }), 0, `malloc(${size})`);
      assert.equal(host.failed, false);
    });

    test("an overlong \"&\" in the query reads as U+FFFD, as the host reads it, never as a parameter separator", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "https://a.example.com/fn" });
      const reply = await host.request(rootId, { path: rawBytes(`/x?role=user${OVERLONG_AMPERSAND}role=admin`) });
      const path = reply.callout!.headers.find(([k]) => k === ":path")![1];
      assert.equal(path, "/fn?role=user\uFFFD\uFFFDxrole=admin");
    });

    test("overlong dots in the path read as U+FFFD, as the host reads them", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "https://a.example.com/fn", path_prefix: "/aws" });
      const reply = await host.request(rootId, { path: rawBytes(`/aws/${OVERLONG_DOTS}/b`) });
      assert.equal(reply.callout!.headers.find(([k]) => k === ":path")![1], "/fn/\uFFFD\uFFFD./b");
    });

    test("percent-encoded overlong forms in an Invoke event's query read as U+FFFD", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "arn:aws:lambda:us-west-2:123456789012:function:fn",
        authorization: { iam: { accesskey: "AKID", secretkey: "SECRET", service: "lambda" } } });
      const reply = await host.request(rootId, { path: "/x?a=%C0%AE%C0%AE&b=%C3%A9" });
      const event = JSON.parse(reply.callout!.body.toString("utf8"));
      assert.deepEqual(event.queryStringParameters, { a: "\uFFFD".repeat(4), b: "\u00e9" });
    });

    test("a lone surrogate (a JSON \\ud800 escape in the config) is sent as U+FFFD, not as WTF-8", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure('{"function_uri":"https://a.example.com/fn","authorization":{"apikey":"key\\ud800x"}}');
      const reply = await host.request(rootId, { path: "/" });
      // WTF-8 (ED A0 80) reads as three replacement characters on the host side; U+FFFD as one.
      assert.deepEqual(reply.callout!.headers.filter(([k]) => k === "x-api-key"), [["x-api-key", "key\uFFFDx"]]);
    });

    test("a lone surrogate in a function's reply headers is relayed as U+FFFD", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "arn:aws:lambda:us-west-2:123456789012:function:fn",
        authorization: { iam: { accesskey: "AKID", secretkey: "SECRET", service: "lambda" } } });
      const body = '{"statusCode":200,"headers":{"x-fn":"a\\udc00b"},"body":"ok"}';
      const reply = await host.request(rootId, { path: "/" }, { answer: () => ({ headers: [[":status", "200"]], body }) });
      assert.deepEqual(reply.headers.filter(([k]) => k === "x-fn"), [["x-fn", "a\uFFFDb"]]);
    });

    test("a signed header holding a lone surrogate still verifies: the bytes sent are the bytes signed", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure('{"function_uri":"https://a.example.com/fn","authorization":{"apikey":"key\\ud800x",'
        + '"iam":{"accesskey":"AKID","secretkey":"SECRET","aws_region":"eu-west-1","service":"execute-api"}}}');
      const reply = await host.request(rootId, { method: "POST", path: "/", body: "x" });
      assert.match(reply.callout!.headers.find(([k]) => k === "authorization")![1], /SignedHeaders=[^,]*x-api-key/);
      assert.equal(await signatureProblem(reply.callout!, "AKID", "SECRET", "eu-west-1", "execute-api"), "");
    });

    test("client headers whose names are not field names are never forwarded", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "https://a.example.com/fn" });
      const names = ["a b", "a:b", "x\u00e9", "x\u0001", "(x)", "x/y", "x=y", "x{y}", "x\"y", rawBytes("x" + SURROGATE)];
      const reply = await host.request(rootId, { path: "/", headers: [...names.map((n): [TextOrBytes, string] => [n, "v"]), ["x-kept", "v"]] });
      const sent = reply.callout!.headers.map(([k]) => k).filter((k) => !k.startsWith(":"));
      // Envoy's connection manager adds x-forwarded-proto and x-request-id to every request.
      assert.deepEqual(sent.filter((k) => k !== "x-forwarded-proto" && k !== "x-request-id"), ["x-kept"]);
    });

    test("a Connection header listing 40,000 names is applied in linear time", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "https://a.example.com/fn" });
      const names = Array.from({ length: 40000 }, (_, i) => `x-h${i}`);
      const headers: [string, string][] = [["connection", names.join(", ")], ...names.map((n): [string, string] => [n, "v"]), ["x-kept", "v"]];
      const started = performance.now();
      const reply = await host.request(rootId, { path: "/", headers });
      const ms = performance.now() - started;
      assert.deepEqual(reply.callout!.headers.filter(([k]) => k.startsWith("x-h")), []);
      assert.ok(reply.callout!.headers.some(([k]) => k === "x-kept"));
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms (a list lookup per header made this quadratic)`);
    });

    test("function response headers whose names are not field names are never relayed", async () => {
      const host = await fuzzHost.ready();
      const { rootId } = host.configure({ function_uri: "https://a.example.com/fn" });
      const reply = await host.request(rootId, { path: "/" }, { answer: () => ({
        headers: [[":status", "200"], ["a b", "1"], ["set-cookie:x", "2"], ["x\u00e9", "3"], ["x-fn", "4"]], body: "ok" }) });
      assert.equal(reply.status, 200);
      const relayed = reply.headers.map(([k]) => k);
      assert.ok(relayed.includes("x-fn"));
      for (const name of ["a b", "set-cookie:x", "x\u00e9"]) assert.ok(!relayed.includes(name), `${name} was relayed`);
    });
  });
}
