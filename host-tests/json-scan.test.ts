// The validating JSON scan (assembly/kernel/json-scan.ts) must judge every document exactly as the full
// reader does (valid or not, and whether the top level has a member), since v2 unwrapping trusts it to
// skip the full parse; and it must find duplicate keys however they are spelled.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Host } from "../emulator/index.ts";
import { loadUnit } from "./support/unit-wasm.ts";

let unit: any;
before(async () => { unit = await loadUnit("invoke"); });

const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** Scan and reader verdicts for `text` (UTF-8) with the reply depth limit. */
function verdicts(text: string | Buffer, depth = 256, key = "statusCode"): [number, number] {
  const bytes = ab(Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8"));
  return [unit.scanDocument(bytes, depth, key), unit.parseDocument(bytes, depth, key)];
}

function agrees(text: string | Buffer, depth = 256, key = "statusCode"): number {
  const [scan, parse] = verdicts(text, depth, key);
  assert.equal(scan, parse, `scan ${scan}, reader ${parse} for ${JSON.stringify(String(text).slice(0, 200))}`);
  return scan;
}

/** Keys that collide once decoded, spelled differently. */
const SPELLINGS: [string, string][] = [["a", "\\u0061"], ["é", "\\u00e9"], ["é", "\\u00E9"], ["😀", "\\ud83d\\ude00"], ["\\/", "/"],
  ["\\n", "\\u000a"], ["statusCode", "status\\u0043ode"]];

describe("the JSON scan agrees with the reader", () => {
  test("on documents the reader accepts and refuses", () => {
    for (const text of ["{}", "[]", "0", "-0", "1.5e-3", "\"x\"", "true", "null", " {\"statusCode\":200} ", "{\"body\":\"x\"}",
      "[{\"statusCode\":1}]", "{\"a\":{\"statusCode\":1}}", "{\"statusCode\":null}", "", " ", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
      "[1,]", "01", "1.", "1e", "-", "+1", ".5", "\"\\x\"", "\"\\u12\"", "\"a\u0001\"", "\"unterminated", "{} {}", "nul", "tru",
      "{\"a\":1 \"b\":2}", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "{\"a\":[1,2,{\"b\":3,\"b\":4}]}", "\ufeff{}", "{\"\\\"\":1}",
      "{\"k\":\"\\u0000\"}", "[\"\\/\\b\\f\\n\\r\\t\"]", "{\"x\":1e400}", "\u0000"]) agrees(text);
  });

  test("finds the top-level member however its name is spelled, and only there", () => {
    assert.equal(agrees("{\"status\\u0043ode\":200,\"body\":\"\"}"), 1);
    assert.equal(agrees("{\"body\":{\"statusCode\":200}}"), 0);
    assert.equal(agrees("[{\"statusCode\":200}]"), 0);
    assert.equal(agrees("{\"statusCodes\":200}"), 0);
  });

  test("finds duplicate keys written differently, in small and in large objects", () => {
    for (const [a, b] of SPELLINGS) {
      assert.equal(agrees(`{"${a}":1,"${b}":2}`), -1, `${a} / ${b}`);
      const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(",");
      assert.equal(agrees(`{${many},"${a}":1,"x":{"${a}":0},"${b}":2}`), -1, `${a} / ${b} among 40`);
      assert.notEqual(agrees(`{${many},"${a}":1,"x":{"${b}":0}}`), -1, `${a} / ${b} in different objects`);
    }
  });

  test("the same object may not repeat a key even after nested objects with many members", () => {
    const inner = `{${Array.from({ length: 30 }, (_, i) => `"i${i}":[${i}]`).join(",")}}`;
    assert.equal(agrees(`{"a":${inner},"b":${inner},"a":0}`), -1);
    assert.equal(agrees(`{"a":${inner},"b":${inner},"c":0}`), 0);
    assert.equal(agrees(`[${inner},${inner}]`), 0);
  });

  test("nesting up to the limit, and not one level more", () => {
    const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.equal(agrees(nest(256)), 0);
    assert.equal(agrees(nest(257)), -1);
    assert.equal(agrees("{\"a\":".repeat(255) + "{}" + "}".repeat(255)), 0);
    assert.equal(agrees("{\"a\":".repeat(256) + "{}" + "}".repeat(256)), -1);
    assert.equal(agrees(nest(5), 4), -1);
  });

  test("on generated documents and their mutations", () => {
    const key = fc.oneof(fc.constantFrom("statusCode", "headers", "body", "a", "é", "😀", ""), fc.string({ maxLength: 4 }));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(key, tie("value"), { maxKeys: 12 })),
    })).value;
    const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom("none", "insert", "delete", "truncate", "escape-key", "duplicate"),
      char: fc.constantFrom("{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-", ".", "e", " ", "\u0001", "x", "u") });
    fc.assert(fc.property(json, mutation, (value, m) => {
      let text = JSON.stringify(value) ?? "null";
      const at = m.at % (text.length + 1);
      if (m.op === "insert") text = text.slice(0, at) + m.char + text.slice(at);
      if (m.op === "delete") text = text.slice(0, at) + text.slice(at + 1);
      if (m.op === "truncate") text = text.slice(0, at);
      if (m.op === "escape-key") text = text.replace(/"([a-z])/, (_, c) => `"\\u00${c.charCodeAt(0).toString(16)}`);
      if (m.op === "duplicate") text = text.replace(/^\{("[^"\\]*":[^,{}[\]]*)/, "{$1,$1");
      agrees(text);
    }), { numRuns: 3000 * SCALE });
  });
});

describe("v2 unwrapping of a large reply without statusCode", () => {
  test("relays it as it is without building its values: memory grows by less than 3× the reply", async () => {
    const host = await Host.load({ profile: "envoy", callouts: "capture" });
    const { rootId, accepted } = host.configure({ function_uri: "arn:aws:lambda:us-east-1:123456789012:function:f",
      authorization: { iam: { accesskey: "AKIDEXAMPLE", secretkey: "secret" } } });
    assert.ok(accepted);
    const items = Array.from({ length: 50000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"], ok: true }));
    const reply = JSON.stringify({ items, next: null });
    const before = host.memoryBytes();
    const r = await host.request(rootId, { method: "GET", path: "/list" }, { answer: () => ({ headers: [[":status", "200"]], body: reply }) });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), reply);
    const grown = host.memoryBytes() - before;
    assert.ok(grown < 3 * reply.length, `linear memory grew by ${grown} bytes for a ${reply.length}-byte reply`);
  });
});
