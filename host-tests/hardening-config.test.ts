// Regression tests for what the configuration fuzzer found: inputs up to the 1 MiB limit that took
// seconds to minutes to read (the VM is stuck meanwhile), and refusal messages of unbounded length.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";
import { FuzzHost, HOST_OPTIONS } from "./support/fuzz-host.ts";

let unit: { configSummary(text: string, env: string): string; jsonRoundTrip(text: string): string };
before(async () => { unit = await loadUnit("config"); });

const MIB = 1 << 20;
/** What "well under a second" allows on a slow CI machine; each case below took 5–90 s before its fix. */
const FAST_MS = 1500;

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

const summary = (text: string) => JSON.parse(unit.configSummary(text, ""));

test("a megabyte of JSON escapes is decoded in one pass (it took 20 s)", () => {
  const text = `{"function_uri":"https://a.b/fn","upstream":"${"\\n".repeat((MIB - 60) >> 1)}"}`;
  const { value, ms } = timed(() => summary(text));
  assert.match(value.error, /property "upstream" validation failed: must not contain spaces or control characters/);
  assert.ok(ms < FAST_MS, `${ms.toFixed(0)} ms`);
});

test("a megabyte of \\u escapes decodes to the right characters, fast", () => {
  const count = (MIB - 60) / 6 | 0;
  const { value, ms } = timed(() => summary(`{"function_uri":"https://a.b/fn","upstream":"${"\\u0041".repeat(count)}"}`));
  assert.equal(value.upstream, "A".repeat(count));
  assert.ok(ms < FAST_MS, `${ms.toFixed(0)} ms`);
});

test("escape errors still point at the offending character", () => {
  const at = (text: string) => unit.jsonRoundTrip(text);
  assert.equal(at('["ab\\x"]'), "error: bad escape at line 1 column 6");
  assert.equal(at('["ab\\u12G4"]'), "error: bad \\u escape at line 1 column 7");
  assert.equal(at('["ab\n"]'), "error: control character in a string at line 1 column 5");
  assert.equal(at('["a\\"b'), "error: unterminated string at line 1 column 7");
  assert.equal(at('["a\\'), "error: bad escape at line 1 column 5");
  assert.equal(at('["\\x", "\n"]'), "error: bad escape at line 1 column 4", "the first error wins");
  assert.equal(at('["\n", "\\x"]'), "error: control character in a string at line 1 column 3", "the first error wins");
});

test("escapes next to plain text decode exactly", () => {
  assert.equal(unit.jsonRoundTrip(String.raw`["\\\"\/\b\f\n\r\t\u0041x\u00e9\ud83d\ude00y", "plain", ""]`),
    '["\\\\\\"/\\u0008\\u000c\\n\\r\\tAx\u00e9\ud83d\ude00y","plain",""]');
});

test("an object with 60,000 members is read in linear time (30,000 took 5 s)", () => {
  const members = Array.from({ length: 60000 }, (_, i) => `"k${i}":0`).join(",");
  const text = `{"function_uri":"https://a.b/fn",${members}}`;
  assert.ok(text.length < MIB);
  const { value, ms } = timed(() => summary(text));
  assert.equal(value.error, 'additional properties forbidden, found "k0"');
  assert.ok(ms < FAST_MS, `${ms.toFixed(0)} ms`);
});

test("a duplicate key is still found among 60,000 members", () => {
  const members = Array.from({ length: 60000 }, (_, i) => `"k${i}":0`).join(",");
  assert.match(unit.jsonRoundTrip(`{${members},"k59999":1}`), /^error: duplicate key "k59999" at line 1 column \d+$/);
});

test("a function_uri ending in a megabyte of slashes is read in linear time (it took 88 s)", () => {
  const { value, ms } = timed(() => summary(`{"function_uri":"https://a.b/fn${"/".repeat(MIB - 60)}"}`));
  assert.equal(value.path, "/fn");
  assert.ok(ms < FAST_MS, `${ms.toFixed(0)} ms`);
});

test("a path_prefix ending in many slashes is read in linear time", () => {
  // Small enough to keep this todo cheap; linear reading takes a few milliseconds.
  const { value, ms } = timed(() => summary(`{"function_uri":"https://a.b/fn","path_prefix":"/aws${"/".repeat(150000)}"}`));
  assert.equal(value.pathPrefix, "/aws");
  assert.ok(ms < 300, `${ms.toFixed(0)} ms`);
});

test("a megabyte-long key or number is cut to 64 characters in the refusal message", () => {
  const key = "k".repeat(MIB >> 1);
  const unknown = summary(`{"function_uri":"https://a.b/fn","${key}":1}`).error;
  assert.equal(unknown, `additional properties forbidden, found "${"k".repeat(61)}..."`);
  const number = summary(`{"function_uri":"https://a.b/fn","timeout":1.${"0".repeat(MIB >> 1)}}`).error;
  assert.equal(number, `property "timeout" validation failed: expected 1.${"0".repeat(59)}... to be at least 100`);
  assert.match(unit.jsonRoundTrip(`{"${key}":1,"${key}":2}`), /^error: duplicate key "k{61}\.\.\." at line 1 column \d+$/);
});

test("credentials and scope with control characters are refused at configure time", async () => {
  const fuzzHost = await FuzzHost.start("envoy", HOST_OPTIONS);
  const fields: Record<string, unknown>[] = [{ apikey: "k\r\nx-evil: 1" }, { iam: { accesskey: "AK\r\nx", secretkey: "S" } },
    { iam: { accesskey: "AK", secretkey: "S", session_token: "t\r\nx-evil: 2" } },
    { iam: { accesskey: "AK", secretkey: "S", aws_region: "us-east-1\r\nx" } }];
  for (const authorization of fields) {
    const { accepted } = fuzzHost.host.configure({ function_uri: "https://a.example.com/fn", authorization });
    assert.equal(accepted, false, JSON.stringify(authorization));
  }
});
