// Where a request goes on the function: path_prefix removed, the rest joined with exactly one '/',
// queries combined, and nothing that could climb above function_uri's path.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";

let join: (requestPath: string, functionPath: string, functionQuery: string, prefix: string, hasPrefix: boolean) => string;
before(async () => { join = (await loadUnit("config")).joinPath; });

test("the seed example: /aws/default/test-apisix?name=APISIX goes to /default/test-apisix?name=APISIX", () => {
  assert.equal(join("/aws/default/test-apisix?name=APISIX", "", "", "/aws", true), "/default/test-apisix?name=APISIX");
});

test("without path_prefix the callout path is function_uri's path, with the client's query", () => {
  assert.equal(join("/aws/anything/else?name=APISIX", "/default/test-apisix", "", "", false), "/default/test-apisix?name=APISIX");
  assert.equal(join("/aws", "", "", "", false), "/");
});

test("the prefix itself maps to function_uri's path", () => {
  assert.equal(join("/aws", "/default/fn", "", "/aws", true), "/default/fn");
  assert.equal(join("/aws/", "/default/fn", "", "/aws", true), "/default/fn");
  assert.equal(join("/aws?x=1", "", "", "/aws", true), "/?x=1");
});

test("the rest of the path is joined with exactly one slash, runs of slashes merged", () => {
  assert.equal(join("/aws///a////b", "/base", "", "/aws", true), "/base/a/b");
  assert.equal(join("/aws/a/b/", "/base", "", "/aws", true), "/base/a/b/");
});

test("a path outside the prefix is refused with 404, also when it only shares leading characters", () => {
  assert.equal(join("/awsome", "/base", "", "/aws", true), "404 path is outside path_prefix");
  assert.equal(join("/other/x", "/base", "", "/aws", true), "404 path is outside path_prefix");
});

test("a root prefix forwards the whole path", () => {
  assert.equal(join("/a/b?c", "/base", "", "", true), "/base/a/b?c");
});

test("function_uri's own query is kept and the client's appended", () => {
  assert.equal(join("/aws/x?b=2", "/fn", "a=1", "/aws", true), "/fn/x?a=1&b=2");
  assert.equal(join("/aws/x", "/fn", "a=1", "/aws", true), "/fn/x?a=1");
});

test("percent-encoded and unicode segments are forwarded exactly as sent", () => {
  assert.equal(join("/aws/a%20b/%E2%82%AC/caf%C3%A9", "", "", "/aws", true), "/a%20b/%E2%82%AC/caf%C3%A9");
});

test("dot segments, also percent-encoded, are refused with 400", () => {
  for (const p of ["/aws/..", "/aws/../x", "/aws/a/../../b", "/aws/%2e%2e/x", "/aws/.%2E/x", "/aws/./x", "/aws/%2E"]) {
    assert.equal(join(p, "/base", "", "/aws", true), "400 path has a dot segment", p);
  }
  assert.equal(join("/aws/...", "/base", "", "/aws", true), "/base/...");
  assert.equal(join("/aws/..a", "/base", "", "/aws", true), "/base/..a");
});

test("encoded slashes and backslashes, NUL and malformed escapes are refused with 400", () => {
  assert.equal(join("/aws/a%2fb", "", "", "/aws", true), "400 path has an encoded slash");
  assert.equal(join("/aws/a%5Cb", "", "", "/aws", true), "400 path has an encoded slash");
  assert.equal(join("/aws/a\\b", "", "", "/aws", true), "400 path has a backslash");
  assert.equal(join("/aws/a%00b", "", "", "/aws", true), "400 path has a control character");
  assert.equal(join("/aws/a%zzb", "", "", "/aws", true), "400 path has a malformed percent-encoding");
  assert.equal(join("/aws/a%2", "", "", "/aws", true), "400 path has a malformed percent-encoding");
  assert.equal(join("/aws/a%", "", "", "/aws", true), "400 path has a malformed percent-encoding");
});

test("control characters in the path or query are refused with 400", () => {
  assert.equal(join("/aws/a\r\nb", "", "", "/aws", true), "400 path has a control character");
  assert.equal(join("/aws/a?x=\n", "", "", "/aws", true), "400 query string has a control character");
});
