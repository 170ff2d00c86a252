// The Invoke event is written in one pass straight into UTF-8 bytes and hashed as it is written. For any
// request its bytes must be exactly what the string writer the filter used before produced (kept as the
// oracle in assembly/unit/reference/), and the hash the writer computed must be the SHA-256 of those bytes.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { loadUnit } from "./support/unit-wasm.ts";

let unit: any;
before(async () => { unit = await loadUnit("invoke"); });

const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** Text with what JSON must escape, multi-byte UTF-8, surrogate pairs and (as UTF-16) lone surrogates. */
const tricky = fc.constantFrom("\"", "\\", "\n", "\r", "\t", "\u0000", "\u0001", "\u001f", "\u007f", "/", "é", "€", "\u2028",
  "😀", "\ud800", "\udc00", "\ud83d", "a", " ", ",", ";", "=", "&", "%20", "+");
const text = (max: number) => fc.array(fc.oneof(tricky, fc.string({ maxLength: 6 })), { maxLength: max }).map((parts) => parts.join(""));
const headerName = fc.constantFrom("content-type", "cookie", "user-agent", "x-multi", "accept", "x-τ", "host", "x-empty");
const contentType = fc.constantFrom("application/json", "text/plain; charset=utf-8", "application/octet-stream", "", "image/png",
  "application/x-www-form-urlencoded", "application/vnd.api+json", "TEXT/HTML");
/** Bodies: valid UTF-8 text (escapes, multi-byte, larger than one 16 KiB writing step), random bytes, broken UTF-8. */
const body = fc.oneof(
  text(40).map((t) => Buffer.from(t, "utf8")),
  fc.tuple(text(8), fc.integer({ min: 1, max: 3000 })).map(([t, n]) => Buffer.from(t.repeat(n), "utf8")),
  fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
  fc.tuple(fc.integer({ min: 0, max: 40000 }), fc.integer({ min: 0, max: 255 })).map(([n, b]) => Buffer.alloc(n, b)),
  fc.constant(Buffer.from([0xc3, 0x28])), fc.constant(Buffer.alloc(0)),
);
const request = fc.record({
  version: fc.constantFrom(1, 2),
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
  rawPath: fc.oneof(fc.constant("/"), text(6).map((t) => "/" + t)),
  rawQuery: fc.oneof(fc.constant(""), fc.array(fc.tuple(text(3), text(3)), { maxLength: 4 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join("&"))),
  headers: fc.array(fc.tuple(headerName, text(6)), { maxLength: 8 }),
  contentType,
  body,
  sourceIp: fc.constantFrom("", "203.0.113.9", "2001:db8::1"),
  epochMillis: fc.bigInt({ min: 0n, max: 4102444800000n }),
});

describe("the one-pass event writer", () => {
  test("writes exactly the bytes the string writer produced, and hashes them as it writes", () => {
    fc.assert(fc.property(request, (r) => {
      // Header lines are split on '\n' and trimmed by the unit helper: keep values on one line.
      const lines = [...(r.contentType ? [["content-type", r.contentType]] : []), ...r.headers]
        .map(([k, v]) => `${k}: ${v.replace(/[\n\r]/g, " ")}`).join("\n");
      const args = [r.version, r.method, r.rawPath, r.rawQuery, lines, ab(r.body), r.sourceIp, r.epochMillis] as const;
      const written = Buffer.from(unit.eventBytes(...args));
      const reference = Buffer.from(unit.referenceEventBytes(...args));
      assert.ok(written.equals(reference), `event differs:\n${written.toString()}\n${reference.toString()}`);
      const [hashed, rehashed] = unit.lastEventHashes(ab(written)).split(" ");
      assert.equal(hashed, createHash("sha256").update(written).digest("hex"));
      assert.equal(rehashed, hashed);
      assert.doesNotThrow(() => JSON.parse(written.toString("utf8")));
    }), { numRuns: 400 * SCALE });
  });

  test("a 1 MiB body, text and binary, across many writing steps", () => {
    const textBody = Buffer.from(("é\"x\\\n😀" + "y".repeat(57)).repeat(16000), "utf8");
    const binary = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 131) & 255));
    for (const [type, b] of [["application/json", textBody], ["application/octet-stream", binary]] as const) {
      for (const version of [1, 2]) {
        const args = [version, "POST", "/big", "a=1", `content-type: ${type}`, ab(b), "203.0.113.9", 1584039838390n] as const;
        const written = Buffer.from(unit.eventBytes(...args));
        assert.ok(written.equals(Buffer.from(unit.referenceEventBytes(...args))), `${type} v${version}`);
        assert.equal(unit.lastEventHashes(ab(written)).split(" ")[0], createHash("sha256").update(written).digest("hex"));
        const e = JSON.parse(written.toString("utf8"));
        assert.ok((e.isBase64Encoded ? Buffer.from(e.body, "base64") : Buffer.from(e.body, "utf8")).equals(b));
      }
    }
  });
});
